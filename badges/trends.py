"""The awards' trends on the office's dashboard (``review.trends``): awards per month, the
micro-credentials awarded most and the NACE competencies they certify. Two queries."""

from django.db.models import Count
from django.db.models.functions import TruncMonth

from review.trends import Trend

from .documents import NACE_FRAMEWORK
from .models import Award

TOP_CREDENTIALS = 10
NO_AWARDS = "No awards issued in the last twelve months."


def award_trends(period):
    issued = Award.objects.filter(issued_at__gte=period.since)
    per_month = issued.annotate(month=TruncMonth("issued_at")).values("month").annotate(awards=Count("pk"))
    # Per achievement (each version of a micro-credential) in the database; the achievements are
    # few, so summing them per micro-credential and fanning out to their competencies is Python's.
    per_achievement = issued.values(
        "achievement_id",
        "achievement__proposal_id",
        "achievement__version",
        "achievement__name",
        "achievement__data__alignment",
    ).annotate(awards=Count("pk"))
    credentials, competencies = {}, {}
    for row in per_achievement.order_by("achievement__proposal_id", "achievement__version"):
        _name, total = credentials.get(row["achievement__proposal_id"], ("", 0))
        # The latest version's name stands for the micro-credential.
        credentials[row["achievement__proposal_id"]] = (row["achievement__name"], total + row["awards"])
        for alignment in row["achievement__data__alignment"] or []:
            if isinstance(alignment, dict) and alignment.get("targetFramework") == NACE_FRAMEWORK:
                target = alignment.get("targetName", "")
                competencies[target] = competencies.get(target, 0) + row["awards"]
    top = sorted(credentials.values(), key=lambda c: (-c[1], c[0]))[:TOP_CREDENTIALS]
    return [
        Trend(
            key="awards",
            title="Awards per month",
            caption="Micro-credentials awarded to learners per month over the last twelve months "
            "(awards since revoked included).",
            columns=["Month", "Awards"],
            rows=period.by_month(per_month.order_by("month"), "awards"),
            chart="months",
            empty=NO_AWARDS,
        ),
        Trend(
            key="credentials",
            title=f"Top {TOP_CREDENTIALS} micro-credentials by awards",
            caption=f"The {TOP_CREDENTIALS} micro-credentials awarded most over the last twelve months, "
            "every version counted together.",
            columns=["Micro-credential", "Awards"],
            rows=top,
            chart="bars",
            empty=NO_AWARDS,
        ),
        Trend(
            key="competencies",
            title="Awards per NACE competency",
            caption="Awards over the last twelve months per NACE career-readiness competency that the "
            "micro-credential certifies; an award certifying two competencies counts for each.",
            columns=["NACE competency", "Awards"],
            rows=sorted(competencies.items(), key=lambda c: (-c[1], c[0])),
            chart="bars",
            empty=NO_AWARDS,
        ),
    ]
