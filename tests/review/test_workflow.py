"""The approval workflow: who may fire each transition, votes and tallies, revision rounds,
audit trail, notifications, reminders and queues."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from proposals.models import Proposal
from proposals.policy import State
from review import services
from review.models import AuditEvent, Ballot, Notification
from review.tasks import send_review_reminders
from tests.factories import complete_proposal
from tests.workflow import place_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(demo):
    """A complete credit-bearing graduate proposal of the demo faculty member."""
    author = demo["faculty"]
    return complete_proposal(author=author, unit=author.unit_roles.first().unit, level="graduate")


def put_at(proposal, state):
    """Move a proposal straight to a stage (as the earlier stages would have), opening its vote."""
    return place_at(proposal, state)


def state_of(proposal):
    return Proposal.objects.values_list("state", flat=True).get(pk=proposal.pk)


def unit_decision(client, demo, proposal, decision, comment=""):
    """The demo unit reviewer posts a decision on a proposal at unit review."""
    data = {"decision": decision, "expected_state": "unit_review"}
    if comment:
        data["comment"] = comment
    return post(client, demo["unitreviewer"], "decide", proposal, data)


def post(client, user, name, proposal, data=None):
    client.force_login(user)
    return client.post(reverse(f"review:{name}", args=[proposal.pk]), data or {})


# --- who may fire which transition -----------------------------------------------------------

EVERYONE = [
    "faculty",
    "coauthor",
    "unitreviewer",
    "schoolreviewer",
    "gc-chair",
    "gc-member1",
    "eppc-chair",
    "eppc-member1",
    "fsec-chair",
    "omc-chair",
    "omc-member1",
    "office",
    "evaluator",
    "registrar",
    "learner",
]


@pytest.mark.parametrize("username", EVERYONE)
def test_unit_review_decision_only_by_a_reviewer_of_the_unit_or_above(client, demo, proposal, username):
    put_at(proposal, State.UNIT_REVIEW)
    response = post(
        client, demo[username], "decide", proposal, {"decision": "approve", "expected_state": "unit_review"}
    )
    allowed = username in ("unitreviewer", "schoolreviewer")
    if allowed:
        assert response.status_code == 302 and state_of(proposal) == State.GRADUATE_COUNCIL
    else:
        assert response.status_code in (403, 404)
        assert state_of(proposal) == State.UNIT_REVIEW


STAGE_CLOSERS = {
    State.GRADUATE_COUNCIL: {"gc-chair"},
    State.EPPC: {"eppc-chair"},
    State.FSEC: {"fsec-chair"},
    State.OFFICE_REVIEW: {"omc-chair", "office"},
}


@pytest.mark.parametrize("stage", list(STAGE_CLOSERS))
@pytest.mark.parametrize("username", EVERYONE)
def test_committee_vote_closed_only_by_its_chair_or_staff(client, demo, proposal, stage, username):
    put_at(proposal, stage)
    ballot = Ballot.objects.get(proposal=proposal, closed_at__isnull=True)
    response = post(client, demo[username], "close_vote", proposal, {"ballot": ballot.pk})
    ballot.refresh_from_db()
    if username in STAGE_CLOSERS[stage]:
        assert response.status_code == 302 and ballot.closed_at is not None
    else:
        assert response.status_code in (403, 404)
        assert ballot.closed_at is None and state_of(proposal) == stage


@pytest.mark.parametrize("username", EVERYONE)
def test_only_members_of_the_body_vote(client, demo, proposal, username):
    put_at(proposal, State.EPPC)
    response = post(client, demo[username], "vote", proposal, {"choice": "approve"})
    voted = Ballot.objects.get(proposal=proposal).votes.filter(voter=demo[username]).exists()
    if username in ("eppc-chair", "eppc-member1"):
        assert response.status_code == 302 and voted
    else:
        assert response.status_code in (403, 404) and not voted


def test_author_who_sits_on_the_body_neither_votes_nor_closes(client, demo, proposal):
    proposal.co_authors.add(demo["eppc-member1"], demo["eppc-chair"])
    put_at(proposal, State.EPPC)
    assert post(client, demo["eppc-member1"], "vote", proposal, {"choice": "approve"}).status_code == 403
    ballot = Ballot.objects.get(proposal=proposal)
    assert post(client, demo["eppc-chair"], "close_vote", proposal, {"ballot": ballot.pk}).status_code == 403
    assert not ballot.votes.exists() and state_of(proposal) == State.EPPC


def test_author_who_is_a_unit_reviewer_cannot_decide(client, demo, proposal):
    proposal.co_authors.add(demo["unitreviewer"])
    put_at(proposal, State.UNIT_REVIEW)
    response = unit_decision(client, demo, proposal, "approve")
    assert response.status_code == 403 and state_of(proposal) == State.UNIT_REVIEW


@pytest.mark.parametrize("username", EVERYONE)
def test_only_office_staff_publish(client, demo, proposal, username):
    put_at(proposal, State.APPROVED)
    response = post(client, demo[username], "publish", proposal)
    if username == "office":
        assert response.status_code == 302 and state_of(proposal) == State.PUBLISHED
    else:
        assert response.status_code in (403, 404) and state_of(proposal) == State.APPROVED


def test_office_staff_retire_a_published_micro_credential(client, demo, proposal):
    put_at(proposal, State.PUBLISHED)
    assert post(client, demo["eppc-chair"], "retire", proposal).status_code == 403
    post(client, demo["office"], "retire", proposal)
    assert state_of(proposal) == State.RETIRED


@pytest.mark.parametrize("state", [State.DRAFT, State.UNIT_REVIEW, State.FSEC, State.RETURNED])
def test_authors_withdraw_before_approval(client, demo, proposal, state):
    put_at(proposal, state)
    assert post(client, demo["unitreviewer"], "withdraw", proposal).status_code in (403, 404)
    assert state_of(proposal) == state
    post(client, demo["faculty"], "withdraw", proposal)
    assert state_of(proposal) == State.WITHDRAWN
    assert not Ballot.objects.filter(proposal=proposal, closed_at__isnull=True).exists()


@pytest.mark.parametrize("state", [State.APPROVED, State.PUBLISHED, State.REJECTED])
def test_no_withdrawal_after_approval_or_rejection(client, demo, proposal, state):
    put_at(proposal, state)
    response = post(client, demo["faculty"], "withdraw", proposal)
    assert response.status_code == 302 and state_of(proposal) == state


def test_return_and_reject_need_a_comment(client, demo, proposal):
    put_at(proposal, State.UNIT_REVIEW)
    for decision in ("return", "reject"):
        response = unit_decision(client, demo, proposal, decision)
        assert response.status_code == 302
        assert state_of(proposal) == State.UNIT_REVIEW
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "a comment is required to return or reject" in page
    reject_radio = re.search(r'<input[^>]*value="reject"[^>]*>', page).group(0)
    assert "checked" in reject_radio  # the reviewer's choice is kept


def test_decision_on_a_proposal_that_moved_on_is_refused_clearly(client, demo, proposal):
    put_at(proposal, State.UNIT_REVIEW)
    unit_decision(client, demo, proposal, "approve")
    client.force_login(demo["schoolreviewer"])
    response = client.post(
        reverse("review:decide", args=[proposal.pk]),
        {"decision": "reject", "comment": "No", "expected_state": "unit_review"},
        follow=True,
    )
    assert "Someone else acted first" in response.content.decode()
    assert state_of(proposal) == State.GRADUATE_COUNCIL


def test_final_approval_waits_for_the_fee_sign_off(client, demo, proposal):
    Proposal.objects.filter(pk=proposal.pk).update(fee_amount=Decimal(75))
    put_at(proposal, State.OFFICE_REVIEW)
    for member in ("omc-chair", "omc-member1"):
        post(client, demo[member], "vote", proposal, {"choice": "approve"})
    ballot = Ballot.objects.get(proposal=proposal, closed_at__isnull=True)
    response = post(client, demo["omc-chair"], "close_vote", proposal, {"ballot": ballot.pk})
    assert response.status_code == 302 and state_of(proposal) == State.OFFICE_REVIEW
    assert (
        "need a fee review sign-off"
        in client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    )
    assert post(client, demo["omc-member1"], "fee_signoff", proposal).status_code == 403
    post(client, demo["office"], "fee_signoff", proposal)
    assert AuditEvent.objects.filter(proposal=proposal, action="fee_signoff").count() == 1
    for member in ("omc-chair", "omc-member1"):
        post(client, demo[member], "vote", proposal, {"choice": "approve"})
    ballot = Ballot.objects.get(proposal=proposal, closed_at__isnull=True)
    post(client, demo["omc-chair"], "close_vote", proposal, {"ballot": ballot.pk})
    assert state_of(proposal) == State.APPROVED


# --- votes and tallies ---------------------------------------------------------------------------


def vote(demo, proposal, **choices):
    for username, choice in choices.items():
        services.cast_vote(proposal=proposal, user=demo[username.replace("_", "-")], choice=choice)


def close(demo, proposal, by="gc-chair"):
    ballot = Ballot.objects.get(proposal=proposal, closed_at__isnull=True)
    return services.close_vote(proposal=proposal, user=demo[by], ballot_id=ballot.pk)


def test_quorum_not_met_is_not_approval(demo, proposal):
    put_at(proposal, State.GRADUATE_COUNCIL)
    vote(demo, proposal, gc_member1="approve")
    after, ballot = close(demo, proposal)
    assert ballot.outcome == "no_quorum" and after.state == State.GRADUATE_COUNCIL
    assert "No quorum" in services.describe(ballot.tally) and "not an approval" in services.describe(
        ballot.tally
    )
    assert Ballot.objects.filter(proposal=proposal, closed_at__isnull=True).count() == 1  # a fresh vote
    assert AuditEvent.objects.get(proposal=proposal, action="vote_closed").tally["outcome"] == "no_quorum"


def test_tie_is_not_approval(demo, proposal):
    put_at(proposal, State.GRADUATE_COUNCIL)
    vote(demo, proposal, gc_chair="approve", gc_member1="request_changes", gc_member2="abstain")
    after, ballot = close(demo, proposal)
    assert ballot.outcome == "no_majority" and after.state == State.GRADUATE_COUNCIL
    assert "a tie or split is not an approval" in services.describe(ballot.tally)


def test_majority_approve_moves_to_the_next_stage(demo, proposal):
    put_at(proposal, State.GRADUATE_COUNCIL)
    vote(demo, proposal, gc_chair="approve", gc_member1="approve", gc_member2="reject")
    after, ballot = close(demo, proposal)
    assert ballot.outcome == "approve" and after.state == State.EPPC
    event = AuditEvent.objects.get(proposal=proposal, action="approved", from_state=State.GRADUATE_COUNCIL)
    assert event.tally["approve"] == 2 and event.tally["reject"] == 1
    assert (event.from_state, event.to_state) == (State.GRADUATE_COUNCIL, State.EPPC)
    assert Ballot.objects.get(proposal=proposal, closed_at__isnull=True).body.slug == "eppc"


def test_majority_request_changes_returns_to_the_authors(demo, proposal):
    put_at(proposal, State.GRADUATE_COUNCIL)
    vote(demo, proposal, gc_chair="request_changes", gc_member1="request_changes", gc_member2="approve")
    after, _ballot = close(demo, proposal)
    assert after.state == State.RETURNED and after.returned_from == State.GRADUATE_COUNCIL


def test_majority_reject_rejects(demo, proposal):
    put_at(proposal, State.GRADUATE_COUNCIL)
    vote(demo, proposal, gc_chair="reject", gc_member1="reject")
    after, _ballot = close(demo, proposal)
    assert after.state == State.REJECTED


def test_vote_changed_before_closing_counts_as_changed(demo, proposal):
    put_at(proposal, State.GRADUATE_COUNCIL)
    vote(demo, proposal, gc_chair="approve", gc_member1="reject")
    vote(demo, proposal, gc_member1="approve")
    after, ballot = close(demo, proposal)
    assert ballot.tally["approve"] == 2 and ballot.tally["reject"] == 0 and after.state == State.EPPC
    assert AuditEvent.objects.filter(proposal=proposal, action="vote_changed").count() == 1


def test_closed_vote_cannot_be_closed_again_or_voted_on(demo, proposal):
    put_at(proposal, State.GRADUATE_COUNCIL)
    ballot = Ballot.objects.get(proposal=proposal)
    vote(demo, proposal, gc_chair="approve", gc_member1="approve")
    services.close_vote(proposal=proposal, user=demo["gc-chair"], ballot_id=ballot.pk)
    with pytest.raises(services.StaleState):
        services.close_vote(proposal=proposal, user=demo["gc-chair"], ballot_id=ballot.pk)
    with pytest.raises(PermissionDenied):  # the proposal is at EPPC now: not a GC member's vote
        services.cast_vote(proposal=proposal, user=demo["gc-member2"], choice="approve")


def test_body_quorum_setting_is_used(demo, proposal):
    put_at(proposal, State.GRADUATE_COUNCIL)
    ballot = Ballot.objects.get(proposal=proposal)
    ballot.body.quorum = 3
    ballot.body.save()
    vote(demo, proposal, gc_chair="approve", gc_member1="approve")
    _after, closed = close(demo, proposal)
    assert closed.outcome == "no_quorum" and closed.tally["quorum"] == 3


# --- revision rounds and the audit trail ---------------------------------------------------------


def test_returned_proposal_goes_back_to_the_stage_that_returned_it(client, demo, proposal):
    from tests.workflow import act, walk_to

    proposal = walk_to(proposal, demo, State.EPPC)
    act(proposal, demo, "request_changes")
    proposal.refresh_from_db()
    assert proposal.state == State.RETURNED
    # The authors edit, then resubmit.
    Proposal.objects.filter(pk=proposal.pk).update(title="Revised title")
    client.force_login(demo["faculty"])
    client.post(reverse("review:submit", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.state == State.EPPC and proposal.returned_from == ""
    assert proposal.versions.count() == 2
    event = AuditEvent.objects.filter(proposal=proposal, action="resubmitted").get()
    assert event.comment == "It goes back to EPPC review, which returned it."
    # A reviewer who voted on the earlier version sees what changed since.
    client.force_login(demo["eppc-member1"])
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "Cast my vote" in page and "What changed since you last reviewed it" in page
    assert "It goes back to EPPC review, which returned it." in page


def test_reviewer_sees_the_diff_against_the_version_they_reviewed(client, demo, proposal):
    client.force_login(demo["faculty"])
    client.post(reverse("review:submit", args=[proposal.pk]))
    unit_decision(client, demo, proposal, "return", "Sharpen the title.")
    assert state_of(proposal) == State.RETURNED
    Proposal.objects.filter(pk=proposal.pk).update(title="Applied Data Storytelling")
    client.force_login(demo["faculty"])
    client.post(reverse("review:submit", args=[proposal.pk]))
    assert state_of(proposal) == State.UNIT_REVIEW
    client.force_login(demo["unitreviewer"])
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "What changed since you last reviewed it" in page
    assert "Applied Data Storytelling" in page and 'data-change="changed"' in page


def test_audit_trail_tells_the_whole_story(client, demo, proposal):
    client.force_login(demo["faculty"])
    client.post(reverse("review:submit", args=[proposal.pk]))
    unit_decision(client, demo, proposal, "approve")
    vote(demo, proposal, gc_chair="approve", gc_member1="approve")
    close(demo, proposal)
    events = list(
        AuditEvent.objects.filter(proposal=proposal).values_list(
            "action", "actor__username", "from_state", "to_state"
        )
    )
    assert events == [
        ("submitted", "faculty", "draft", "unit_review"),
        ("approved", "unitreviewer", "unit_review", "graduate_council"),
        ("vote_cast", "gc-chair", "graduate_council", "graduate_council"),
        ("vote_cast", "gc-member1", "graduate_council", "graduate_council"),
        ("approved", "gc-chair", "graduate_council", "eppc"),
    ]
    assert all(e.version_number == 1 for e in AuditEvent.objects.filter(proposal=proposal))
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert page.count('data-action="') == 5


def test_audit_events_cannot_be_edited_or_deleted(demo, proposal):
    put_at(proposal, State.UNIT_REVIEW)
    event = services.record(proposal, demo["unitreviewer"], "approved")
    event.comment = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_admin_shows_the_audit_trail_read_only(client, demo, proposal):
    put_at(proposal, State.UNIT_REVIEW)
    event = services.record(proposal, demo["unitreviewer"], "approved")
    client.force_login(demo["admin"])
    assert client.get(reverse("admin:review_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:review_auditevent_add")).status_code == 403
    response = client.post(reverse("admin:review_auditevent_change", args=[event.pk]), {"comment": "x"})
    assert response.status_code == 403
    assert (
        client.post(reverse("admin:review_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )


# --- comments and internal notes -----------------------------------------------------------------


def test_internal_notes_are_seen_by_the_body_only(client, demo, proposal):
    put_at(proposal, State.EPPC)
    post(client, demo["eppc-member1"], "note", proposal, {"text": "Check the rubric before the meeting."})
    for username, sees in (
        ("eppc-chair", True),
        ("faculty", False),
        ("fsec-chair", False),
        ("office", False),
    ):
        client.force_login(demo[username])
        page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
        assert ("Check the rubric before the meeting." in page) is sees, username
    assert post(client, demo["fsec-chair"], "note", proposal, {"text": "x"}).status_code == 403


# --- notifications -------------------------------------------------------------------------------


def emailed(mailoutbox):
    return sorted({m.to[0].split("@")[0] for m in mailoutbox})


def test_submission_emails_the_unit_reviewers_and_the_authors(
    client, demo, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    proposal.co_authors.add(demo["coauthor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(demo["faculty"])
        client.post(reverse("review:submit", args=[proposal.pk]))
    assert emailed(mailoutbox) == ["coauthor", "faculty", "unitreviewer"]
    reviewer_mail = next(m for m in mailoutbox if m.to[0].startswith("unitreviewer"))
    assert proposal.title in reviewer_mail.subject and "Unit review" in reviewer_mail.subject
    assert f"/proposals/{proposal.pk}/" in reviewer_mail.body and "waiting for you" in reviewer_mail.body


def test_approval_at_unit_review_emails_the_graduate_council(
    client, demo, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    put_at(proposal, State.UNIT_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        unit_decision(client, demo, proposal, "approve")
    assert emailed(mailoutbox) == ["faculty", "gc-chair", "gc-member1", "gc-member2"]


def test_return_emails_the_authors_only(
    client, demo, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    put_at(proposal, State.UNIT_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        unit_decision(client, demo, proposal, "return", "Please add a rubric.")
    assert emailed(mailoutbox) == ["faculty"]
    assert "Returned for revision" in mailoutbox[0].subject


def test_final_approval_emails_the_office_to_publish(
    demo, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    put_at(proposal, State.OFFICE_REVIEW)
    vote(demo, proposal, omc_chair="approve", omc_member1="approve")
    with django_capture_on_commit_callbacks(execute=True):
        close(demo, proposal, by="omc-chair")
    assert emailed(mailoutbox) == ["faculty", "office"]


def test_reminders_go_only_for_overdue_items_and_once_a_day(
    demo, proposal, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.REVIEW_REMINDER_DAYS = 5
    put_at(proposal, State.UNIT_REVIEW)
    fresh = complete_proposal(author=demo["faculty"], unit=proposal.unit, title="Fresh one")
    put_at(fresh, State.UNIT_REVIEW)
    Proposal.objects.filter(pk=proposal.pk).update(stage_entered_at=timezone.now() - timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_review_reminders() == 1
        assert send_review_reminders() == 0  # the second run the same day sends nothing
    assert emailed(mailoutbox) == ["unitreviewer"]
    assert "has waited 6 days at Unit review" in mailoutbox[0].subject
    assert Notification.objects.filter(key__startswith=f"reminder:{proposal.pk}:").count() == 1


# --- queues and dashboard ------------------------------------------------------------------------


def test_queues_show_each_person_what_awaits_them(client, demo, proposal):
    put_at(proposal, State.GRADUATE_COUNCIL)
    at_unit = put_at(
        complete_proposal(author=demo["faculty"], unit=proposal.unit, title="At unit"), State.UNIT_REVIEW
    )
    approved = put_at(
        complete_proposal(author=demo["faculty"], unit=proposal.unit, title="Done"), State.APPROVED
    )

    def queue_of(username):
        client.force_login(demo[username])
        return client.get(reverse("review:queue")).content.decode()

    assert "At unit" in queue_of("unitreviewer") and proposal.title not in queue_of("unitreviewer")
    member = queue_of("gc-member1")
    assert proposal.title in member and "Cast your vote" in member
    vote(demo, proposal, gc_member1="approve")
    assert proposal.title not in queue_of("gc-member1")  # voted: nothing more to do
    assert "close the vote (1 cast so far)" in queue_of("gc-chair")
    assert approved.title in queue_of("office") and "Publish" in queue_of("office")
    assert "Nothing is waiting for you." in queue_of("learner")
    assert at_unit.title not in queue_of("faculty")  # authors never review their own


def test_dashboard_counts_stages_and_overdue_items(client, demo, proposal, settings):
    settings.REVIEW_REMINDER_DAYS = 7
    put_at(proposal, State.EPPC)
    Proposal.objects.filter(pk=proposal.pk).update(stage_entered_at=timezone.now() - timedelta(days=10))
    client.force_login(demo["office"])
    page = client.get(reverse("review:dashboard")).content.decode()
    assert (
        '<tr data-stage="eppc"><th scope="row" class="fw-normal">EPPC review</th><td>1</td><td>10.0</td>'
        in page
    )
    assert proposal.title in page.split("Overdue")[1]
    client.force_login(demo["eppc-chair"])
    assert client.get(reverse("review:dashboard")).status_code == 403


@pytest.mark.parametrize("username", ["unitreviewer", "gc-member1", "gc-chair", "office"])
def test_queue_query_count_is_constant(client, demo, username, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    author = demo["faculty"]
    unit = author.unit_roles.first().unit

    def make(n):
        for i in range(n):
            put_at(
                complete_proposal(author=author, unit=unit, title=f"Q{i}", level="graduate"),
                [State.UNIT_REVIEW, State.GRADUATE_COUNCIL, State.APPROVED][i % 3],
            )

    def queries():
        client.force_login(demo[username])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("review:queue")).status_code == 200
        return len(captured)

    make(10)
    few = queries()
    make(490)
    assert queries() == few


def test_dashboard_query_count_is_constant(client, demo):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    author = demo["faculty"]
    client.force_login(demo["office"])
    counts = []
    for n in (10, 490):
        for i in range(n):
            put_at(
                complete_proposal(author=author, unit=author.unit_roles.first().unit, title=f"D{i}"),
                State.EPPC,
            )
        cache.clear()  # the trends computed in the request, as on a fresh cache
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("review:dashboard"))
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_validation_error_for_unknown_decision(demo, proposal):
    put_at(proposal, State.UNIT_REVIEW)
    with pytest.raises(ValidationError):
        services.decide(
            proposal=proposal, user=demo["unitreviewer"], decision="maybe", expected_state="unit_review"
        )


@pytest.mark.parametrize("profile", ["binghamton", "fiu"])
def test_seed_demo_shows_a_living_pipeline(settings, profile):
    from django.core.management import call_command

    settings.MICROCRED_POLICY, settings.DEBUG = profile, True
    call_command("seed_demo")
    states = dict(Proposal.objects.values_list("code", "state"))
    assert states == {
        "MC-DEMO-1": State.UNIT_REVIEW,
        "MC-DEMO-2": State.GRADUATE_COUNCIL if profile == "binghamton" else State.FSCC,
        "MC-DEMO-3": State.RETURNED,
        "MC-DEMO-4": State.APPROVED,
        "MC-DEMO-5": State.PUBLISHED,
        "MC-DEMO-6": State.DRAFT,
        "MC-DEMO-7": State.PUBLISHED,
        "MC-DEMO-8": State.PUBLISHED,
        # FIU's policy has micro-certificates; Binghamton's leaves stacking open.
        **({"MC-DEMO-9": State.PUBLISHED} if profile == "fiu" else {}),
        # The last twelve months' history, for the dashboard's trends.
        "MC-DEMO-10": State.PUBLISHED,
        "MC-DEMO-11": State.PUBLISHED,
        "MC-DEMO-12": State.PUBLISHED,
        "MC-DEMO-13": State.REJECTED,
        "MC-DEMO-14": State.OFFICE_REVIEW if profile == "binghamton" else State.ASA_REVIEW,
        "MC-DEMO-15": State.PUBLISHED,
        "MC-DEMO-16": State.UNIT_REVIEW,
    }
    published = Proposal.objects.get(code="MC-DEMO-5")
    assert published.audit_events.filter(action="published").exists()
    assert not Notification.objects.exists()  # the made-up history emails nobody
    from badges.models import Award

    awards = dict(
        Award.objects.filter(learner__username="learner").values_list("achievement__proposal__code", "state")
    )
    # The micro-certificate came by itself once both of its components were held.
    assert awards == {
        "MC-DEMO-5": "issued",
        "MC-DEMO-7": "issued",
        "MC-DEMO-8": "revoked",
        **({"MC-DEMO-9": "issued"} if profile == "fiu" else {}),
    }
    made = Award.objects.count()
    call_command("seed_demo")
    assert Proposal.objects.count() == len(states) and Award.objects.count() == made


def test_seed_demo_shows_a_vote_in_progress_a_diff_and_a_year_of_history(settings):
    """What the demo is for: a vote some members have cast and others not, a proposal with two
    versions to compare, people's names, and the dashboard's charts with a trend over the months."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from review.models import Ballot
    from review.trends import Period, monthly_pipeline

    settings.DEBUG = True
    call_command("seed_demo")
    at_vote = Proposal.objects.get(code="MC-DEMO-2")
    assert at_vote.versions.count() == 2
    ballot = Ballot.objects.get(proposal=at_vote, closed_at__isnull=True)
    voted = set(ballot.votes.values_list("voter__username", flat=True))
    assert voted == {"gc-chair", "gc-member2"}  # gc-member1 has not voted yet
    for username in ("gc-chair", "gc-member1", "omc-member2", "fsec-chair"):
        user = get_user_model().objects.get(username=username)
        assert user.first_name.isalpha() and user.last_name[0].isupper(), username
        assert "member" not in user.get_full_name().lower() and "chair" not in user.get_full_name().lower()
    rows = monthly_pipeline(Period.last()).rows
    columns = ("submitted", "resubmitted", "approved", "returned", "rejected")
    months_with = {name: sum(1 for row in rows if row[n + 1]) for n, name in enumerate(columns)}
    assert months_with["submitted"] >= 6 and months_with["approved"] >= 4, months_with
    assert months_with["returned"] >= 3 and months_with["resubmitted"] >= 3, months_with
    assert months_with["rejected"] >= 1, months_with


def test_home_page_lists_what_awaits_each_reviewer(client, demo, proposal):
    put_at(proposal, State.GRADUATE_COUNCIL)
    client.force_login(demo["gc-member1"])
    html = client.get(reverse("home")).content.decode()
    assert proposal.title in html and "Cast your vote" in html
    client.force_login(demo["unitreviewer"])
    assert "Nothing is waiting for your unit&#x27;s review." in client.get(reverse("home")).content.decode()


def test_progress_track_of_a_rejected_proposal_stops_where_it_was_rejected(client, demo, proposal):
    from review.panels import progress_track

    put_at(proposal, State.UNIT_REVIEW)
    unit_decision(client, demo, proposal, "approve")
    vote(demo, proposal, gc_chair="reject", gc_member1="reject")
    close(demo, proposal)
    proposal.refresh_from_db()
    statuses = {step["state"]: step["status"] for step in progress_track(proposal)}
    assert statuses == {
        "unit_review": "done",
        "graduate_council": "stopped",
        "eppc": "upcoming",
        "fsec": "upcoming",
        "office_review": "upcoming",
        "approved": "upcoming",
        "published": "upcoming",
    }


def test_progress_track_of_a_withdrawn_draft_shows_nothing_done(demo, proposal):
    from review.panels import progress_track

    services.withdraw(proposal=proposal, user=demo["faculty"])
    proposal.refresh_from_db()
    assert {step["status"] for step in progress_track(proposal)} == {"upcoming"}


def test_only_the_lead_author_withdraws(client, demo, proposal):
    proposal.co_authors.add(demo["coauthor"])
    put_at(proposal, State.UNIT_REVIEW)
    assert post(client, demo["coauthor"], "withdraw", proposal).status_code == 403
    assert state_of(proposal) == State.UNIT_REVIEW
    post(client, demo["faculty"], "withdraw", proposal)
    assert state_of(proposal) == State.WITHDRAWN


def test_the_admin_does_not_change_a_submitted_proposal(client, demo, proposal):
    put_at(proposal, State.APPROVED)
    client.force_login(demo["admin"])
    url = reverse("admin:proposals_proposal_change", args=[proposal.pk])
    assert client.post(url, {"title": "Changed behind the workflow"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.title != "Changed behind the workflow"
    assert client.get(url).status_code == 200  # still readable
