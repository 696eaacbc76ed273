"""The awards' trends on the office's dashboard (``review.trends``): awards per month, the
micro-credentials awarded most and the NACE competencies they certify. Three queries."""

from django.db.models import Count, Subquery
from django.db.models.functions import TruncMonth

from review.trends import Trend

from .issuing.documents import NACE_FRAMEWORK
from .models import Achievement, Award

TOP_CREDENTIALS = 10
NO_AWARDS = "No awards issued in the last twelve months."


def award_trends(period):
    issued = Award.objects.filter(issued_at__gte=period.since)
    per_month = issued.annotate(month=TruncMonth("issued_at")).values("month").annotate(awards=Count("pk"))
    # Per achievement (each version of a micro-credential), counted in the database grouped by the
    # achievement's id alone (grouping by its JSON would sort every award row); then the
    # achievements counted, which are few, read once. Summing them per micro-credential and fanning
    # out to their competencies is Python's.
    counts = dict(
        issued.order_by().values("achievement_id").annotate(n=Count("pk")).values_list("achievement_id", "n")
    )
    per_achievement = [
        {**row, "issued": counts.get(row["pk"], 0)}
        for row in Achievement.objects.filter(pk__in=Subquery(issued.values("achievement_id"))).values(
            "pk", "proposal_id", "version", "name", "data__alignment"
        )
    ]
    per_achievement.sort(key=lambda row: (row["proposal_id"], row["version"]))
    credentials, competencies = {}, {}
    for row in per_achievement:
        _name, total = credentials.get(row["proposal_id"], ("", 0))
        # The latest version's name stands for the micro-credential.
        credentials[row["proposal_id"]] = (row["name"], total + row["issued"])
        for alignment in row["data__alignment"] or []:
            if isinstance(alignment, dict) and alignment.get("targetFramework") == NACE_FRAMEWORK:
                target = alignment.get("targetName", "")
                competencies[target] = competencies.get(target, 0) + row["issued"]
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
