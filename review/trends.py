"""The office dashboard's trends over the last twelve months: each a table of numbers from which its
chart, its accessible table and its CSV download are all drawn, so that the three cannot disagree.

Every figure is aggregated in the database (a constant number of queries, however long the
history), and the result kept in the cache for a few minutes (``snapshot``), refreshed by a beat
job, so that no office visit waits for the aggregation. Other apps add their trends with ``core.hooks.TRENDS`` (the awards app adds awards per
month, per micro-credential and per NACE competency), so that this app never imports theirs.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, Case, Count, DurationField, F, Max, Q, When, Window
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core import hooks
from proposals.policy import State, active_profile

from . import charts
from .models import AuditEvent

MONTHS_IN_A_YEAR = len(calendar.month_name) - 1  # (written so: the number twelve is the credit cap's)
MONTHS = MONTHS_IN_A_YEAR
# Time spent at a stage, in days: (lower bound, upper bound or None, label).
BUCKETS = (
    (0, 7, "Under 7 days"),
    (7, 14, "7–14 days"),
    (14, 30, "14–30 days"),
    (30, 60, "30–60 days"),
    (60, None, "Over 60 days"),
)


@dataclass(frozen=True)
class Period:
    """The months shown, oldest first (each the first day of its month), and the moment they start."""

    months: tuple
    since: datetime

    @classmethod
    def last(cls, count=MONTHS, now=None):
        today = timezone.localdate(now or timezone.now())
        index = today.year * MONTHS_IN_A_YEAR + today.month - 1
        months = tuple(
            date(i // MONTHS_IN_A_YEAR, i % MONTHS_IN_A_YEAR + 1, 1)
            for i in range(index - count + 1, index + 1)
        )
        return cls(months=months, since=timezone.make_aware(datetime.combine(months[0], datetime.min.time())))

    def by_month(self, rows, *names):
        """``rows`` (dicts with a ``month`` from ``TruncMonth``) as one tuple per month, zeros where
        nothing happened: (month label, value of each name …)."""
        found = {(r["month"].year, r["month"].month): r for r in rows}
        return [
            (f"{m:%b %Y}", *(found.get((m.year, m.month), {}).get(name, 0) for name in names))
            for m in self.months
        ]


@dataclass
class Trend:
    """One chart of the dashboard: its rows are (label, number, …) under ``columns``; ``drawn`` are
    the indices of the number columns the chart shows (the table and the CSV show them all)."""

    key: str
    title: str
    caption: str
    columns: list
    rows: list
    chart: str  # "months": grouped columns per month; "bars": horizontal bars; "stacked": stacked bars
    drawn: tuple = ()
    empty: str = "Nothing yet in the last twelve months."
    unit: str = ""  # what the numbers count, for the chart's value labels ("days")
    decimals: int = 0
    legend: list = field(init=False)

    def __post_init__(self):
        self.drawn = self.drawn or tuple(range(1, len(self.columns)))
        self.legend = [(n, self.columns[i]) for n, i in enumerate(self.drawn)] if len(self.drawn) > 1 else []

    @property
    def is_empty(self):
        """Nothing to draw: bar charts list only what has numbers; the others count, all zero."""
        if self.chart == "bars":
            return not self.rows
        return not any(row[i] for row in self.rows for i in self.drawn)

    def cell(self, value):
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:.{self.decimals}f}"
        return str(value)

    @property
    def table(self):
        """The rows as the strings shown in the table and written to the CSV."""
        return [[str(row[0]), *(self.cell(v) for v in row[1:])] for row in self.rows]

    @cached_property
    def svg(self):
        """Drawn once: ``refresh`` draws it before the trend is kept, so visits only copy it out."""
        return charts.render(self)

    @property
    def dom_id(self):
        return f"trend-{self.key}"


def dashboard_trends(period=None):
    """Every trend of the period, computed now from the database."""
    period = period or Period.last()
    return [trend for builder in hooks.implementations(hooks.TRENDS) for trend in builder(period)]


@dataclass(frozen=True)
class Snapshot:
    """The trends as computed at ``computed_at``: what the dashboard and its CSVs show."""

    computed_at: datetime
    trends: list


def _cache_key(period):
    return f"dashboard-trends:v1:{active_profile().key}:{period.months[0]:%Y-%m}:{period.months[-1]:%Y-%m}"


def refresh(period=None):
    """Compute the trends and keep them for ``DASHBOARD_TRENDS_CACHE_SECONDS``. The beat job
    ``refresh-dashboard-trends`` calls this more often than that, so the office never waits for
    the aggregation over every award and audit event (about a second at a large university)."""
    period = period or Period.last()
    computed = dashboard_trends(period)
    for each in computed:
        each.svg  # noqa: B018 (drawn now, kept with the numbers)
    snapshot = Snapshot(computed_at=timezone.now(), trends=computed)
    cache.set(_cache_key(period), snapshot, settings.DASHBOARD_TRENDS_CACHE_SECONDS)
    return snapshot


def snapshot(period=None):
    """The kept trends of the period, computed here only when none are kept (the first visit on a
    fresh cache). Twelve months of history barely move in a few minutes; the dashboard says when
    its figures were computed."""
    period = period or Period.last()
    return cache.get(_cache_key(period)) or refresh(period)


def trend(key, period=None):
    """The trend called ``key`` as the dashboard shows it now, or None."""
    return next((t for t in snapshot(period).trends if t.key == key), None)


# --- the review pipeline's trends -----------------------------------------------------------------

A = AuditEvent.Action


def monthly_pipeline(period):
    """Per month: submissions, resubmissions, final approvals, returns and rejections. One query."""
    rows = (
        AuditEvent.objects.filter(
            created_at__gte=period.since,
            action__in=[A.SUBMITTED, A.RESUBMITTED, A.APPROVED, A.RETURNED, A.REJECTED],
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            submitted=Count("pk", filter=Q(action=A.SUBMITTED)),
            resubmitted=Count("pk", filter=Q(action=A.RESUBMITTED)),
            # An approval at a stage moves the proposal on; only the last stage's makes it approved.
            approved=Count("pk", filter=Q(action=A.APPROVED, to_state=State.APPROVED)),
            returned=Count("pk", filter=Q(action=A.RETURNED)),
            rejected=Count("pk", filter=Q(action=A.REJECTED)),
        )
        .order_by("month")
    )
    names = ("submitted", "resubmitted", "approved", "returned", "rejected")
    return Trend(
        key="pipeline",
        title="Proposals per month",
        caption="Submitted, resubmitted after revision, finally approved, returned for revision and "
        "rejected, per month over the last twelve months.",
        columns=["Month", "Submitted", "Resubmitted", "Approved", "Returned", "Rejected"],
        rows=period.by_month(rows, *names),
        chart="months",
    )


def stays(period):
    """Every stay at a review stage that ended in the period (approved, returned, rejected or
    withdrawn there), annotated with ``stay``: the time from entering the stage to leaving it. A
    stay begins with the latest move into the stage before the move out of it.

    Each stay is computed once, by window functions over each proposal's moves in order (per
    stage, the latest entry into it so far; a move out never enters the stage it leaves, so its
    own row never counts), not by a subquery per move out; only the proposals with a stay ending
    in the period are read. Django filters on a window in a subquery but cannot group such a
    query by a column (it would group by the window): aggregate it with ``per_stage``."""
    stages = State.REVIEW_STAGES
    left = Q(from_state__in=stages, created_at__gte=period.since)
    entered_at = Case(
        *(
            When(
                from_state=stage,
                then=Window(
                    Max(Case(When(to_state=stage, then="created_at"))),
                    partition_by=[F("proposal_id")],
                    order_by=F("id").asc(),
                ),
            )
            for stage in stages
        )
    )
    return (
        AuditEvent.objects.exclude(from_state=F("to_state"))
        .filter(proposal__in=AuditEvent.objects.filter(left).values("proposal_id"))
        .annotate(stay=Case(When(left, then=F("created_at") - entered_at), output_field=DurationField()))
        .filter(stay__isnull=False)
    )


def per_stage(queryset, **aggregates):
    """{stage: {name: value}} for the review stages that have rows in ``queryset``: each of
    ``aggregates`` (``name=function of a stage's filter``, returning an aggregate) per stage, and
    ``rows``, their number. One query, a filter per stage, where a GROUP BY cannot be used."""
    aggregates = {"rows": lambda stage: Count("pk", filter=stage), **aggregates}
    stages = State.REVIEW_STAGES
    row = queryset.aggregate(
        **{
            f"{name}_{n}": aggregate(Q(from_state=stage))
            for n, stage in enumerate(stages)
            for name, aggregate in aggregates.items()
        }
    )
    return {
        stage: {name: row[f"{name}_{n}"] for name in aggregates}
        for n, stage in enumerate(stages)
        if row[f"rows_{n}"]
    }


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont``: the value below which ``fraction`` of the rows fall,
    interpolated between the two nearest."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction, **extra):
        super().__init__(expression, fraction=float(fraction), output_field=DurationField(), **extra)


def percentile(ordered, fraction):
    """``percentile_cont`` in Python, for the databases that lack it: ``ordered`` is sorted."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def stage_percentiles(queryset):
    """{stage: (median, 90th percentile)} of the stays, as timedeltas. One query: PostgreSQL
    computes them; elsewhere the stays' durations alone are read (one per stay in the period)."""
    if connection.vendor == "postgresql":
        rows = per_stage(
            queryset,
            p50=lambda stage: Percentile("stay", 0.5, filter=stage),
            p90=lambda stage: Percentile("stay", 0.9, filter=stage),
        )
        return {state: (r["p50"], r["p90"]) for state, r in rows.items()}
    durations = {}
    for state, stay in queryset.values_list("from_state", "stay").order_by():
        durations.setdefault(state, []).append(stay)
    return {
        state: (percentile(sorted(values), 0.5), percentile(sorted(values), 0.9))
        for state, values in durations.items()
    }


def _days(duration):
    return None if duration is None else round(duration.total_seconds() / 86400, 1)


def time_in_stage(period):
    """Per stage of the active profile: how long its stays lasted, as a distribution (buckets,
    median, 90th percentile), and the stages sorted by where proposals wait longest. Two queries."""
    day = timedelta(days=1)
    buckets = {
        f"b{n}": lambda stage, low=low, high=high: Count(
            "pk",
            filter=stage & Q(stay__gte=low * day) & (Q(stay__lt=high * day) if high is not None else Q()),
        )
        for n, (low, high, _label) in enumerate(BUCKETS)
    }
    counts = per_stage(stays(period), **buckets)
    percentiles = stage_percentiles(stays(period))
    stages = active_profile().stages
    distribution, waits = [], []
    for stage in stages:
        row = counts.get(stage.state, {})
        p50, p90 = percentiles.get(stage.state, (None, None))
        distribution.append(
            (
                stage.label,
                row.get("rows", 0),
                *(row.get(f"b{n}", 0) for n in range(len(BUCKETS))),
                _days(p50),
                _days(p90),
            )
        )
        if row:
            waits.append((stage.label, _days(p50), _days(p90)))
    waits.sort(key=lambda r: (-(r[2] or 0), -(r[1] or 0)))
    return [
        Trend(
            key="waits",
            title="Where proposals wait longest",
            caption="Median and 90th percentile of the days a proposal spent at each stage, for the "
            "stays that ended in the last twelve months; longest first, stages without any left out.",
            columns=["Stage", "Median days", "90th percentile days"],
            rows=waits,
            chart="bars",
            unit="days",
            decimals=1,
            empty="No proposal has left a review stage in the last twelve months.",
        ),
        Trend(
            key="stage-time",
            title="Time in each stage",
            caption="How many stays at each stage ended within 7, 14, 30 or 60 days, or took longer, "
            "over the last twelve months.",
            columns=[
                "Stage",
                "Stays",
                *(label for _low, _high, label in BUCKETS),
                "Median days",
                "90th percentile days",
            ],
            rows=distribution,
            chart="stacked",
            drawn=tuple(range(2, 2 + len(BUCKETS))),
            decimals=1,
            empty="No proposal has left a review stage in the last twelve months.",
        ),
    ]


def pipeline_trends(period):
    """The review app's trends (registered in ``apps.py``)."""
    return [monthly_pipeline(period), *time_in_stage(period)]
