"""Authoring pages: who may see and change what, saving sections, submitting."""

from decimal import Decimal

import pytest
from django.urls import reverse

from proposals.models import Course, Proposal, ProposalVersion
from proposals.policy import State
from tests.factories import complete_proposal, faculty, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(demo):
    return complete_proposal(author=demo["faculty"], unit=demo["faculty"].unit_roles.first().unit)


def url(name, proposal, *args):
    return reverse(name if ":" in name else f"proposals:{name}", args=[proposal.pk, *args])


# --- permissions ---------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client, draft):
    response = client.get(url("detail", draft))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("page", ["detail", "versions"])
def test_other_faculty_cannot_see_a_draft(client, draft, page):
    client.force_login(faculty("stranger", unit("other")))
    assert client.get(url(page, draft)).status_code == 404


def test_other_faculty_cannot_edit_or_submit_a_draft(client, draft):
    client.force_login(faculty("stranger", unit("other")))
    assert client.get(url("edit", draft, "basics")).status_code == 404
    assert client.post(url("review:submit", draft)).status_code == 404
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_co_author_can_edit(client, draft, demo):
    draft.co_authors.add(demo["coauthor"])
    client.force_login(demo["coauthor"])
    response = client.post(
        url("edit", draft, "purpose"),
        {
            "purpose-purpose": "Rewritten by the co-author.",
            "purpose-target_learners": "Everyone",
            "purpose-employer_evidence": "Letters",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.purpose == "Rewritten by the co-author."


def test_learner_cannot_start_a_proposal(client, demo):
    client.force_login(demo["learner"])
    assert client.get(reverse("proposals:create")).status_code == 403


def test_office_staff_see_a_draft_only_after_a_consultation_is_asked(client, draft, demo):
    draft.consultations.all().delete()
    client.force_login(demo["office"])
    assert client.get(url("detail", draft)).status_code == 404
    client.force_login(demo["faculty"])
    client.post(url("consult", draft), {"message": "Is the assessment plan enough?"})
    client.force_login(demo["office"])
    assert client.get(url("detail", draft)).status_code == 200
    client.post(url("comment", draft), {"body": "Add a rubric to the criteria."})
    assert draft.comments.get().author == demo["office"]
    # Reading and commenting is not editing.
    assert client.get(url("edit", draft, "basics")).status_code == 403


def test_unit_reviewer_sees_submitted_proposals_of_their_unit_only(client, draft, demo):
    client.force_login(demo["unitreviewer"])
    assert client.get(url("detail", draft)).status_code == 404  # still a draft
    client.force_login(demo["faculty"])
    client.post(url("review:submit", draft))
    client.force_login(demo["unitreviewer"])
    assert client.get(url("detail", draft)).status_code == 200
    elsewhere = complete_proposal(unit=unit("english-dept"))
    client.force_login(elsewhere.lead_author)
    client.post(url("review:submit", elsewhere))
    client.force_login(demo["unitreviewer"])
    assert client.get(url("detail", elsewhere)).status_code == 404


# --- creating and saving sections ----------------------------------------------------------------


def test_faculty_member_starts_a_draft(client, demo):
    client.force_login(demo["faculty"])
    cs = demo["faculty"].unit_roles.first().unit
    response = client.post(
        reverse("proposals:create"),
        {
            "title": "Cloud Foundations",
            "kind": "credit",
            "form": "badge",
            "level": "graduate",
            "unit": cs.pk,
        },
    )
    proposal = Proposal.objects.get(title="Cloud Foundations")
    assert response["Location"] == url("edit", proposal, "basics")
    assert proposal.state == State.DRAFT and proposal.lead_author == demo["faculty"]


def test_start_form_says_what_is_missing(client, demo):
    client.force_login(demo["faculty"])
    response = client.post(reverse("proposals:create"), {"title": "", "kind": "credit"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Proposal.objects.exists()


def test_invalid_section_saves_nothing_and_marks_the_field(client, draft):
    client.force_login(draft.lead_author)
    response = client.post(
        url("edit", draft, "courses"),
        {
            "credits-total_credits": "-3",
            "courses-TOTAL_FORMS": "1",
            "courses-INITIAL_FORMS": "0",
            "courses-0-subject": "CS",
            "courses-0-number": "999",
            "courses-0-title": "Half-saved",
            "courses-0-credits": "3",
            "experiences-TOTAL_FORMS": "0",
            "experiences-INITIAL_FORMS": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Credits cannot be negative." in html and "Nothing was saved" in html
    assert not Course.objects.filter(title="Half-saved").exists()


def _courses_post(proposal, rows, total):
    data = {
        "credits-total_credits": str(total),
        "courses-TOTAL_FORMS": str(len(rows)),
        "courses-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "experiences-TOTAL_FORMS": "0",
        "experiences-INITIAL_FORMS": "0",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"courses-{n}-{key}"] = value
    return data


def test_courses_are_added_changed_and_removed_in_order(client, draft):
    client.force_login(draft.lead_author)
    first, second = draft.courses.order_by("position")
    rows = [
        {"id": second.pk, "subject": "DS", "number": "301", "title": "Now first", "credits": "3"},
        {"id": first.pk, "subject": "DS", "number": "300", "title": "Gone", "credits": "3", "DELETE": "on"},
        {"subject": "DS", "number": "410", "title": "Added", "credits": "4"},
    ]
    response = client.post(url("edit", draft, "courses"), _courses_post(draft, rows, 7))
    assert response.status_code == 302
    assert list(draft.courses.order_by("position").values_list("title", "credits")) == [
        ("Now first", Decimal(3)),
        ("Added", Decimal(4)),
    ]


def test_alignment_matrix_saves_ticked_cells(client, draft):
    client.force_login(draft.lead_author)
    outcome = draft.outcomes.first()
    activity, assessment = draft.activities.get(), draft.assessments.get()
    outcome.activities.clear()
    data = {f"alignment-act_{outcome.pk}_{activity.pk}": "on"}
    for other in draft.outcomes.exclude(pk=outcome.pk):
        data[f"alignment-asm_{other.pk}_{assessment.pk}"] = "on"
    client.post(url("edit", draft, "alignment"), data)
    assert list(outcome.activities.all()) == [activity]
    assert list(outcome.assessments.all()) == []


# --- submitting ----------------------------------------------------------------------------------


def test_submit_refused_shows_the_problem_beside_the_field(client, draft):
    draft.competencies.clear()
    client.force_login(draft.lead_author)
    response = client.post(url("review:submit", draft))
    assert response["Location"] == url("edit", draft, "outcomes") + "?check=1"
    page = client.get(response["Location"]).content.decode()
    assert "Choose at least one NACE career-readiness competency" in page
    assert (
        'aria-describedby="id_competencies-competencies_helptext need-id_competencies-competencies"' in page
    )
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and not ProposalVersion.objects.exists()


def test_detail_page_summarises_what_stops_submission_per_section(client, draft):
    draft.competencies.clear()
    Proposal.objects.filter(pk=draft.pk).update(fee_amount=None, kind="non_credit")
    client.force_login(draft.lead_author)
    html = client.get(url("detail", draft)).content.decode()
    assert "Competencies and outcomes</a>: 1" in html
    assert "Fees</a>: 1" in html


def test_submit_moves_to_unit_review_and_freezes_version_one(client, draft):
    client.force_login(draft.lead_author)
    response = client.post(url("review:submit", draft), follow=True)
    assert "Submitted to Unit review as version 1." in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == State.UNIT_REVIEW and draft.submitted_at is not None
    assert draft.versions.get().number == 1
    # Under review, the authors no longer edit.
    assert client.get(url("edit", draft, "basics")).status_code == 403


def test_submitting_twice_submits_once(client, draft):
    client.force_login(draft.lead_author)
    client.post(url("review:submit", draft))
    response = client.post(url("review:submit", draft), follow=True)
    assert "already “Unit review”" in response.content.decode()
    assert draft.versions.count() == 1


def test_submit_needs_a_post(client, draft):
    client.force_login(draft.lead_author)
    assert client.get(url("review:submit", draft)).status_code == 405


# --- lists ---------------------------------------------------------------------------------------


def test_my_proposals_lists_state_and_last_change(client, draft, demo):
    client.force_login(demo["faculty"])
    html = client.get(reverse("proposals:mine")).content.decode()
    assert draft.title in html and "Draft" in html and "<time" in html


def test_search_finds_only_what_the_person_may_see(client, draft, demo):
    hidden = complete_proposal(title="Secret Draft", unit=unit("elsewhere"))
    client.force_login(demo["faculty"])
    nace = draft.competencies.first()
    html = client.get(reverse("proposals:search"), {"q": "data", "competency": nace.pk}).content.decode()
    assert draft.title in html and hidden.title not in html
    html = client.get(reverse("proposals:search"), {"q": "secret"}).content.decode()
    assert "No proposal you may see matches." in html


def test_home_lists_my_proposals(client, draft, demo):
    client.force_login(demo["faculty"])
    html = client.get(reverse("home")).content.decode()
    assert draft.title in html and "Start a proposal" in html


def test_course_credits_must_be_positive(client, draft):
    client.force_login(draft.lead_author)
    rows = [{"subject": "CS", "number": "1", "title": "Negative", "credits": "-2"}]
    response = client.post(url("edit", draft, "courses"), _courses_post(draft, rows, 3))
    assert response.status_code == 200
    assert "A course has at least 0.5 credits." in response.content.decode()
    assert not draft.courses.filter(title="Negative").exists()


def test_the_proposal_page_has_in_page_navigation_to_every_part(client, demo):
    """A long proposal is read by jumping: every link of the "On this page" list has its target."""
    import re

    from tests.factories import complete_proposal

    author = demo["faculty"]
    proposal = complete_proposal(author=author, unit=author.unit_roles.first().unit)
    client.force_login(author)
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    nav = html[html.index('aria-label="On this page"') :]
    nav = nav[: nav.index("</nav>")]
    anchors = re.findall(r'href="#([\w-]+)"', nav)
    assert len(anchors) >= 10 and "comments" in anchors and "history" in anchors
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor
