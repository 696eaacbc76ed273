"""Reads: the querysets behind the proposal pages, with the joins each page needs."""

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from .access import authored_q, can_read, readable_proposals
from .models import Attachment, Comment, Competency, Consultation, LearningOutcome, Proposal, ProposalVersion


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
    proposal = prefetched().filter(pk=pk).first()
    if proposal is None or not can_read(user, proposal):
        raise Http404("No such proposal")
    return proposal


def my_proposals(user):
    """Proposals the person authors or co-authors, most recently changed first."""
    return (
        Proposal.objects.filter(pk__in=Proposal.objects.filter(authored_q(user)).values("pk"))
        .select_related("unit", "lead_author")
        .annotate(version_count=Count("versions", distinct=True))
        .order_by("-updated_at")
    )


def search_proposals(*, user, q="", unit=None, competency=None, state=""):
    queryset = readable_proposals(user).select_related("unit", "lead_author")
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(code__icontains=q) | Q(summary__icontains=q))
    if unit:
        queryset = queryset.filter(Q(unit=unit) | Q(co_sponsors=unit))
    if competency:
        queryset = queryset.filter(competencies=competency)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.distinct().order_by("-updated_at")
