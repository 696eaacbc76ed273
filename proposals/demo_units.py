"""The demo site's organisation under each policy profile, by profile key: its units, and the
department where the demo faculty work with its school. Demo data, not policy: ``demo.py`` reads it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoOrganisation:
    """Units for the demo site: (code, name, kind, parent code), parents first, and the codes of the
    department where the demo faculty work and of its school."""

    units: tuple
    home_department: str
    home_school: str


DEMO_UNITS = {
    "binghamton": DemoOrganisation(
        units=(
            ("binghamton", "Binghamton University", "university", None),
            ("harpur", "Harpur College of Arts and Sciences", "school", "binghamton"),
            ("watson", "Thomas J. Watson College of Engineering and Applied Science", "school", "binghamton"),
            ("som", "School of Management", "school", "binghamton"),
            ("cs", "Department of Computer Science", "department", "watson"),
            ("english", "Department of English", "department", "harpur"),
            ("clt", "Center for Learning and Teaching", "centre", "binghamton"),
        ),
        home_department="cs",
        home_school="watson",
    ),
    "fiu": DemoOrganisation(
        units=(
            ("fiu", "Florida International University", "university", None),
            ("cec", "College of Engineering and Computing", "school", "fiu"),
            ("business", "College of Business", "school", "fiu"),
            ("scis", "Knight Foundation School of Computing and Information Sciences", "department", "cec"),
            ("marketing", "Department of Marketing and Logistics", "department", "business"),
            ("asa-office", "Academic and Student Affairs", "office", "fiu"),
        ),
        home_department="scis",
        home_school="cec",
    ),
}


def demo_organisation(profile):
    """The profile's demo organisation. A profile with none of its own (a university added without
    demo data) gets a plain one: its institution, one school and one department."""
    if profile.key in DEMO_UNITS:
        return DEMO_UNITS[profile.key]
    return DemoOrganisation(
        units=(
            ("university", profile.institution, "university", None),
            ("school", "School of Arts and Sciences", "school", "university"),
            ("department", "Department of Computer Science", "department", "school"),
        ),
        home_department="department",
        home_school="school",
    )
