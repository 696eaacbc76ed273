"""Reads: the querysets behind the proposal pages, with the joins each page needs."""

from dataclasses import dataclass

from django.db.models import Case, Count, Func, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.http import Http404

from .extensions import last_reviewed_version
from .models import Attachment, Comment, Competency, Consultation, LearningOutcome, Proposal, ProposalVersion
from .page import changes_by_section
from .permissions import authored_q, can_read, is_author, readable_proposals
from .versions import diff


def prefetched():
    """Proposals with every part prefetched: a constant number of queries whatever the number of
    courses, outcomes or attachments."""
    return Proposal.objects.select_related("unit", "lead_author").prefetch_related(
        "co_authors",
        "co_sponsors",
        Prefetch("competencies", queryset=Competency.objects.select_related("framework")),
        "courses",
        "experiences",
        "activities",
        "assessments",
        Prefetch(
            "outcomes",
            queryset=LearningOutcome.objects.prefetch_related("competencies", "activities", "assessments"),
        ),
        "components",
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
        Prefetch(
            "versions", queryset=ProposalVersion.objects.only("id", "proposal_id", "number", "created_at")
        ),
        Prefetch("comments", queryset=Comment.objects.select_related("author")),
        Prefetch("consultations", queryset=Consultation.objects.select_related("requested_by", "closed_by")),
    )


def proposal_for_page(*, pk, user):
    """The proposal with everything its page shows. 404 for anyone who may not read it."""
    proposal = prefetched().select_related("revision_of", "revision_started_by").filter(pk=pk).first()
    if proposal is None or not can_read(user, proposal):
        raise Http404("No such proposal")
    return proposal


@dataclass(frozen=True)
class SinceReviewed:
    """What changed between the version a reviewer last reviewed and the newest one."""

    old: ProposalVersion
    new: ProposalVersion
    changes: list
    by_section: dict  # page section anchor -> its changes (``page.changes_by_section``)


def changes_since_reviewed(proposal, user):
    """The changes since the newest version this person reviewed, or None: for an author, for
    someone who never reviewed the proposal and for someone who reviewed its newest version. Reads
    the prefetched versions, then at most two queries whatever the proposal's size."""
    versions = list(proposal.versions.all())
    if len(versions) < 2 or is_author(user, proposal):
        return None
    seen, newest = last_reviewed_version(proposal, user), versions[-1]
    if not seen or seen >= newest.number:
        return None
    pair = {
        v.number: v
        for v in ProposalVersion.objects.filter(proposal=proposal, number__in=[seen, newest.number])
    }
    if seen not in pair:
        return None
    changes = diff(pair[seen].data, pair[newest.number].data)
    return SinceReviewed(
        old=pair[seen], new=pair[newest.number], changes=changes, by_section=changes_by_section(changes)
    )


def count_of(queryset):
    """The number of rows of ``queryset`` (filtered on an ``OuterRef``) as an expression: each outer
    row counts its own in the database, without joining the rows in and grouping by every column."""
    return Subquery(queryset.order_by().values(n=Func("pk", function="COUNT", output_field=IntegerField())))


def my_proposals(user, state=""):
    """Proposals the person authors or co-authors (in ``state``, if given), most recently changed
    first."""
    queryset = Proposal.objects.filter(authored_q(user))
    if state:
        queryset = queryset.filter(state=state)
    return (
        queryset.select_related("unit", "lead_author")
        .annotate(version_count=count_of(ProposalVersion.objects.filter(proposal=OuterRef("pk"))))
        .order_by("-updated_at")
    )


def my_state_counts(user):
    """{state: number} of the proposals the person authors or co-authors. One query."""
    rows = Proposal.objects.filter(authored_q(user)).values("state").annotate(n=Count("pk")).order_by()
    return {row["state"]: row["n"] for row in rows}


def my_proposals_to_work_on(user, limit=5):
    """The person's proposals that wait for their authors: returned for revision first, then
    drafts; the longest untouched first. One query."""
    from .policy import State

    return (
        Proposal.objects.filter(authored_q(user), state__in=State.EDITABLE)
        .annotate(returned_first=Case(When(state=State.RETURNED, then=0), default=1))
        .order_by("returned_first", "updated_at", "pk")[:limit]
    )


def search_proposals(*, user, q="", unit=None, competency=None, state=""):
    # The to-many filters test ``pk__in`` a subquery of ids: a join would repeat rows and need a
    # DISTINCT over every column, which sorts the whole result (on disk, at 20,000 proposals).
    queryset = readable_proposals(user).select_related("unit", "lead_author")
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(code__icontains=q) | Q(summary__icontains=q))
    if unit:
        co_sponsored = Proposal.co_sponsors.through.objects.filter(unit=unit)
        queryset = queryset.filter(Q(unit=unit) | Q(pk__in=co_sponsored.values("proposal_id")))
    if competency:
        tagged = Proposal.competencies.through.objects.filter(competency=competency)
        queryset = queryset.filter(pk__in=tagged.values("proposal_id"))
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-updated_at")


def dependents(proposal, *, published_only=False):
    """The micro-certificates that list ``proposal`` as a component (one query)."""
    from .policy import State

    queryset = (
        proposal.part_of.all() if not published_only else proposal.part_of.filter(state=State.PUBLISHED)
    )
    return queryset.order_by("title", "pk")


def revision_links(proposal, user):
    """What the proposal page says about revisions: for a revision, what it revises and what it
    changes from the published content; for a published (or retired) one, its revision under way or
    the one that replaced it, and whether this reader may start one. No query for anything else."""
    from . import permissions, services
    from .policy import State
    from .versions import diff, snapshot

    links = {}
    if proposal.revision_of_id is not None:
        version, published = services.published_content(proposal)
        links["revision_of"] = proposal.revision_of
        links["published_version"] = version
        links["changes"] = diff(published, snapshot(proposal))
    if proposal.state in (State.PUBLISHED, State.RETIRED):
        links["revised_by"] = (
            proposal.revisions.exclude(state__in=[State.REJECTED, State.WITHDRAWN]).order_by("-pk").first()
        )
        links["can_revise"] = (
            proposal.state == State.PUBLISHED
            and links["revised_by"] is None
            and permissions.may_start_revision(user, proposal)
            and not services.revision_refused(proposal)
        )
    return links
