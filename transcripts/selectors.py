"""Reads of the registrar's app: the queue with its filters, counts per state, batches."""

from django.db.models import Count, Q

from .models import Batch, TranscriptRecord

# The sort menu, as the registrar reads it.
SORT_LABELS = {
    "oldest": "Oldest first",
    "newest": "Newest first",
    "name": "Learner's family name",
    "award_date": "Award date",
}
SORTS = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "name": ("family_name", "given_name", "id"),
    "award_date": ("award_date", "id"),
}


def queue(*, state="", term="", unit="", credential="", level="", q="", sort="oldest"):
    """The records matching the filters, sorted, with what the queue page shows (one query a page)."""
    records = TranscriptRecord.objects.select_related("term")
    if state:
        records = records.filter(state=state)
    if term == "none":
        records = records.filter(term__isnull=True)
    elif term:
        records = records.filter(term__code=term)
    if unit:
        records = records.filter(unit_ref_id=unit)
    if credential:
        # A code typed in any case: codes are stored as the proposals carry them (upper case).
        records = records.filter(credential_code__in={credential, credential.upper()})
    if level:
        records = records.filter(level=level)
    if q:
        # Student IDs match exactly (an index); names and emails by substring (trigram indexes on
        # PostgreSQL, see migration 0002).
        records = records.filter(
            Q(student_id__in={q, q.upper()})
            | Q(email__icontains=q)
            | Q(family_name__icontains=q)
            | Q(given_name__icontains=q)
        )
    return records.order_by(*SORTS.get(sort, SORTS["oldest"]))


def counts():
    """How many records are in each state (one query; ``COUNT(*)`` lets PostgreSQL read the state
    index alone)."""
    found = dict(
        TranscriptRecord.objects.values_list("state").annotate(n=Count("*")).values_list("state", "n")
    )
    return [(value, label, found.get(value, 0)) for value, label in TranscriptRecord.State.choices]


def filter_choices():
    """The filter menus: levels and units, read from their own small table rather than from the
    records (one query, whatever the number of records). Micro-credentials are filtered by code,
    typed: a large university publishes thousands, far too many for a menu."""
    from proposals.choices import Level
    from proposals.models import Unit

    units = Unit.objects.filter(is_active=True).order_by("name")
    return {
        "levels": [label for _v, label in Level.choices],
        "units": list(units),
    }


def batches():
    return (
        Batch.objects.select_related("term", "created_by")
        .annotate(size=Count("records"))
        .order_by("-created_at")
    )
