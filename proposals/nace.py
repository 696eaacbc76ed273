"""The NACE career-readiness competencies named by the Binghamton policy ("critical thinking/problem
solving, oral/written communications, teamwork/collaboration, digital technology, leadership,
professionalism/work ethic, career management, and global/intercultural fluency").

Used by the data migration that seeds them and by ``seed_demo``, which puts them back in a
database that was emptied (for example between browser tests)."""

NACE_URL = "https://www.naceweb.org/career-readiness/competencies/career-readiness-defined/"

# (slug, name, definition) – definitions summarised from NACE's public career-readiness page.
NACE = [
    (
        "critical-thinking",
        "Critical thinking / problem solving",
        "Uses sound reasoning to analyse issues, weigh evidence, make decisions and overcome problems; "
        "gathers and interprets information and shows originality in finding solutions.",
    ),
    (
        "communication",
        "Oral / written communications",
        "Expresses ideas and information clearly and effectively, in speech and in writing, to people "
        "inside and outside an organisation; speaks in public and writes for the audience at hand.",
    ),
    (
        "teamwork",
        "Teamwork / collaboration",
        "Builds working relationships with colleagues and clients of diverse cultures, ages, genders and "
        "viewpoints; works in a team structure and can negotiate and manage conflict.",
    ),
    (
        "digital-technology",
        "Digital technology",
        "Uses existing digital technologies ethically and efficiently to solve problems, complete tasks "
        "and reach goals, and adapts to new and emerging technologies.",
    ),
    (
        "leadership",
        "Leadership",
        "Leverages the strengths of others toward common goals; coaches and develops others, organises "
        "and prioritises work, and uses empathy and motivation to guide people.",
    ),
    (
        "professionalism",
        "Professionalism / work ethic",
        "Shows personal accountability and effective work habits such as punctuality, working "
        "productively with others and time management; acts with integrity and learns from mistakes.",
    ),
    (
        "career-management",
        "Career management",
        "Identifies and articulates one's skills, strengths, knowledge and experiences relevant to the "
        "position sought and to career goals, and navigates and explores job options.",
    ),
    (
        "global-intercultural-fluency",
        "Global / intercultural fluency",
        "Values, respects and learns from diverse cultures, races, ages, genders, sexual orientations "
        "and religions; is open, inclusive and sensitive when working with people's differences.",
    ),
]


def seed_nace(framework_model, competency_model):
    """Create or update the NACE framework and its eight competencies. Idempotent."""
    framework, _ = framework_model.objects.get_or_create(
        slug="nace", defaults={"name": "NACE Career Readiness Competencies", "url": NACE_URL}
    )
    for position, (slug, name, definition) in enumerate(NACE, start=1):
        competency_model.objects.update_or_create(
            framework=framework,
            slug=slug,
            defaults={"name": name, "definition": definition, "url": NACE_URL, "position": position},
        )
    return framework
