"""Awarding from a spreadsheet applies the rules joining applies (who may start the micro-credential,
from its effective date, never once retired) and the policy's evidence requirement: each refused row
says why in the preview and is never awarded (no award, no account, no registrar's record), while the
eligible rows of the same file are awarded with their evidence on the signed credential."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from badges import permissions
from badges.awarding import bulk, spreadsheet
from badges.issuing import services
from badges.models import Award, BulkAward, Learner
from proposals.policy import active_profile
from review import services as review_services
from tests.proposals import test_revise_published
from tests.workflow import publish_achievement
from transcripts.models import TranscriptRecord

pytestmark = pytest.mark.django_db

HEADER = "email,given name,family name,student ID,evidence URL,narrative,assessed elsewhere,reflection\n"
REFLECTION = "How the project changed the way I plan my work."
NOT_OPEN_TO_OUTSIDERS = "Closed to non-matriculated learners: this address has no student ID."

# The demo organisation of each profile, with an issuer key for the awards.
people = test_revise_published.people


@pytest.fixture
def achievement(people, django_capture_on_commit_callbacks):
    """A published credit-bearing micro-credential (6 credits) closed to non-matriculated learners."""
    return publish_achievement(people, django_capture_on_commit_callbacks)


def awarder(people):
    return people["office"] if permissions.evaluates_centrally() else people["evaluator"]


def row(email, student_id="", *, url="", narrative="Capstone graded A", elsewhere="", reflection=REFLECTION):
    given, family = email.split("@")[0].capitalize(), "Learner"
    return f"{email},{given},{family},{student_id},{url},{narrative},{elsewhere},{reflection}\n"


def upload(people, achievement, body, header=HEADER):
    return bulk.upload(
        user=awarder(people),
        achievement=achievement,
        uploaded=SimpleUploadedFile("class.csv", (header + body).encode(), content_type="text/csv"),
    )


def confirm_and_award(people, made, capture):
    with capture(execute=True):
        bulk.confirm(bulk=made, user=awarder(people))
    made.refresh_from_db()
    return made


def reasons(made):
    return {r["email"]: (r["outcome"], r["reason"]) for r in made.rows}


def awarded_emails():
    return set(Award.objects.values_list("learner__email", flat=True))


def nothing_for(email):
    """No award, no account made from the file, no record for the registrar."""
    return (
        not Award.objects.filter(learner__email=email).exists()
        and not get_user_model().objects.filter(email=email).exists()
        and not TranscriptRecord.objects.filter(email=email).exists()
    )


# --- who may start it ---------------------------------------------------------------------------------


def test_an_address_without_a_student_id_is_refused_where_only_students_join(
    people, achievement, django_capture_on_commit_callbacks
):
    assert not achievement.proposal.open_to_non_matriculated and achievement.credits == 6
    Learner.objects.update_or_create(user=people["learner"], defaults={"student_id": "B00012345"})
    made = upload(
        people,
        achievement,
        row("outsider@example.org")  # no student ID
        + row("student@example.edu", "B100")  # a student ID in the file
        + row(people["learner"].email),  # a student ID on record
    )
    found = reasons(made)
    assert found["outsider@example.org"] == ("error", NOT_OPEN_TO_OUTSIDERS)
    assert found["student@example.edu"] == ("new", "")
    assert found[people["learner"].email] == ("existing", "")

    made = confirm_and_award(people, made, django_capture_on_commit_callbacks)
    assert made.awarded == 2
    assert awarded_emails() == {"student@example.edu", people["learner"].email}
    assert nothing_for("outsider@example.org")
    # The eligible learners reach the registrar as the profile says (both do for 6 credits).
    assert set(TranscriptRecord.objects.values_list("email", flat=True)) == awarded_emails()
    result = {r["email"]: (r["result"], r["detail"]) for r in made.rows}
    assert result["outsider@example.org"] == ("skipped", NOT_OPEN_TO_OUTSIDERS)


def test_joining_gives_the_same_answer_for_the_same_learner(people, achievement):
    """One rule: the learner the preview refuses is the one joining refuses."""
    outsider = get_user_model().objects.create_user("outsider", "outsider@example.org", "x")
    Learner.objects.create(user=outsider)
    allowed, why = permissions.may_join(outsider, achievement)
    assert not allowed and "open to enrolled students only" in why
    assert permissions.admission(achievement, enrolled=False) == permissions.Refusal.STUDENTS_ONLY
    assert permissions.admission(achievement, enrolled=True) == ""


def test_where_the_proposal_admits_non_matriculated_learners_an_address_alone_is_enough(
    demo, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    services.create_issuer_key()
    open_one = publish_achievement(
        demo,
        django_capture_on_commit_callbacks,
        open_to_non_matriculated=True,
        non_matriculated_terms="Through continuing education, at the same fee.",
    )
    made = upload(demo, open_one, row("outsider@example.org"))
    assert reasons(made)["outsider@example.org"] == ("new", "")
    confirm_and_award(demo, made, django_capture_on_commit_callbacks)
    assert awarded_emails() == {"outsider@example.org"}


def test_a_revision_is_not_awarded_before_its_effective_date(
    people, achievement, django_capture_on_commit_callbacks
):
    takes_over = timezone.localdate() + timedelta(days=30)
    revision = publish_achievement(
        people,
        django_capture_on_commit_callbacks,
        revision_of=achievement.proposal,
        effective_from=takes_over,
    )
    assert revision.proposal.awaits_effective_date
    body = row("student@example.edu", "B100") + row("other@example.edu", "B101")
    made = upload(people, revision, body)
    expected = f"Not yet in effect: this revision takes over on {takes_over:%-d %B %Y}."
    assert set(reasons(made).values()) == {("error", expected)}
    with pytest.raises(ValidationError, match="nothing to confirm"):
        confirm_and_award(people, made, django_capture_on_commit_callbacks)
    assert nothing_for("student@example.edu") and nothing_for("other@example.edu")
    # The micro-credential in force until then takes the same file.
    confirm_and_award(people, upload(people, achievement, body), django_capture_on_commit_callbacks)
    assert awarded_emails() == {"student@example.edu", "other@example.edu"}
    assert set(Award.objects.values_list("achievement", flat=True)) == {achievement.pk}


def test_a_retired_micro_credential_takes_no_new_learners_in_the_preview(people, achievement):
    review_services.retire(proposal=achievement.proposal, user=people["office"])
    achievement.refresh_from_db()
    rows = bulk.check_rows(
        spreadsheet.parse((HEADER + row("student@example.edu", "B100")).encode()),
        achievement,
        awarder(people),
    )
    assert (rows[0]["outcome"], rows[0]["reason"]) == ("error", "Retired: no new learners join it.")


def test_retired_after_it_was_confirmed_nobody_is_awarded_from_the_file(
    people, achievement, django_capture_on_commit_callbacks
):
    made = upload(people, achievement, row("student@example.edu", "B100") + row("other@example.edu", "B101"))
    with django_capture_on_commit_callbacks(execute=False):  # confirmed; the worker has not run yet
        bulk.confirm(bulk=made, user=awarder(people))
    review_services.retire(proposal=achievement.proposal, user=people["office"])
    with django_capture_on_commit_callbacks(execute=True):
        bulk.process(made.pk)
    made.refresh_from_db()
    assert made.state == BulkAward.State.DONE and made.awarded == 0
    assert {(r["result"], r["detail"]) for r in made.rows} == {
        ("failed", "Retired: no new learners join it.")
    }
    assert nothing_for("student@example.edu") and nothing_for("other@example.edu")


# --- its evidence ----------------------------------------------------------------------------------


def test_a_row_without_evidence_is_refused_and_each_kind_of_evidence_is_recorded(
    people, achievement, django_capture_on_commit_callbacks
):
    made = upload(
        people,
        achievement,
        row("none@example.edu", "B100", narrative="")
        + row("link@example.edu", "B101", url="https://portfolio.example.edu/l", narrative="")
        + row("told@example.edu", "B102")
        + row(
            "elsewhere@example.edu", "B103", narrative="", elsewhere="Assessed in CS 480 by its instructor"
        ),
    )
    outcome, reason = reasons(made)["none@example.edu"]
    assert outcome == "error" and reason.startswith("No evidence: give an evidence URL, a narrative")
    made = confirm_and_award(people, made, django_capture_on_commit_callbacks)
    assert awarded_emails() == {"link@example.edu", "told@example.edu", "elsewhere@example.edu"}
    assert nothing_for("none@example.edu")

    def evidence(email):
        award = Award.objects.get(learner__email=email)
        credential = json.loads(award.credential.json)
        assert services.verify_credential(credential)
        return award, credential["evidence"]

    award, items = evidence("link@example.edu")
    assert award.evidence_url == "https://portfolio.example.edu/l"
    assert items == [
        {"type": ["Evidence"], "id": "https://portfolio.example.edu/l", "narrative": award.narrative}
    ]
    award, items = evidence("told@example.edu")
    assert award.narrative == f"Capstone graded A\n\nCulminating reflection: {REFLECTION}"
    assert items == [{"type": ["Evidence"], "narrative": award.narrative}]
    award, items = evidence("elsewhere@example.edu")
    assert (
        "Assessed elsewhere, in the evaluator's words: Assessed in CS 480 by its instructor"
        in award.narrative
    )
    assert items == [{"type": ["Evidence"], "narrative": award.narrative}]


def test_the_culminating_reflection_is_required_where_the_policy_requires_it(
    people, achievement, django_capture_on_commit_callbacks
):
    made = upload(people, achievement, row("student@example.edu", "B100", reflection=""))
    outcome, reason = reasons(made)["student@example.edu"]
    if active_profile().enforces(
        "reflection"
    ):  # FIU: “All micro-credentials must have a culminating reflective experience”
        assert outcome == "error" and reason.startswith("No culminating reflection")
        assert nothing_for("student@example.edu")
    else:  # Binghamton asks for none
        assert (outcome, reason) == ("new", "")
        confirm_and_award(people, made, django_capture_on_commit_callbacks)
        assert Award.objects.get(learner__email="student@example.edu").narrative == "Capstone graded A"


def test_a_file_without_the_reflection_column_is_refused_row_by_row_under_fiu(
    fiu_demo, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    services.create_issuer_key()
    achievement = publish_achievement(fiu_demo, django_capture_on_commit_callbacks)
    made = upload(
        fiu_demo,
        achievement,
        "student@example.edu,Stu,Dent,B100,,Capstone graded A\n",
        header="email,given name,family name,student ID,evidence URL,narrative\n",
    )
    assert reasons(made)["student@example.edu"][1].startswith("No culminating reflection")


# --- what a spreadsheet would run ------------------------------------------------------------------


DISGUISED = ["\uff1d1+1", "\u200b=1+1", "\uff0bSUM(A1)", "\uff0d1+1", "\uff20SUM(A1)", "\ufeff=1+1"]


def test_disguised_formulas_in_uploaded_names_are_refused(people, achievement):
    body = "".join(
        f"f{n}@example.edu,{value},Learner,B10{n},,Capstone graded A,,{REFLECTION}\n"
        for n, value in enumerate(DISGUISED)
    ) + row("fine@example.edu", "B200")
    made = upload(people, achievement, body)
    found = reasons(made)
    for n, value in enumerate(DISGUISED):
        outcome, reason = found[f"f{n}@example.edu"]
        assert outcome == "error", value
        assert reason.startswith("The given name starts with “") and "formula" in reason, value
    assert found["fine@example.edu"] == ("new", "")


def test_the_template_has_the_evidence_columns_and_sample_rows_that_pass(people, achievement):
    template = spreadsheet.template_csv()
    header = template.splitlines()[0].split(",")
    assert {"evidence URL", "narrative", "assessed elsewhere", "reflection"} <= set(header)
    made = upload(people, achievement, template, header="")
    assert {outcome for outcome, _reason in reasons(made).values()} == {"new"}
