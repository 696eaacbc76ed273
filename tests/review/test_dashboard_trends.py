"""The office dashboard's trends: the numbers are the history's, its CSV is its table, and only the
office reads them. Proposals go through the real workflow at known dates (``timezone.now`` held)."""

import csv
import io
import statistics
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.urls import reverse

from badges.issuing.documents import NACE_FRAMEWORK
from proposals.policy import State
from review import selectors, services, trends
from review.models import AuditEvent
from tests.factories import complete_proposal, issued_awards
from tests.workflow import act

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 15, 16, 0, tzinfo=UTC)


@contextmanager
def at(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def day(month, dom):
    return datetime(2025, month, dom, 16, 0, tzinfo=UTC)


@pytest.fixture
def history(demo):
    """Three proposals with a known history; returns the stays (stage label -> days) they made."""
    author = demo["faculty"]
    unit = author.unit_roles.first().unit
    labels = {s.state: s.label for s in selectors.active_profile().stages}
    stays = {}

    def step(proposal, moment, outcome):
        with at(moment):
            stage, entered = proposal.state, proposal.stage_entered_at
            proposal = act(proposal, demo, outcome)
        stays.setdefault(labels[stage], []).append((moment - entered).days)
        return proposal

    def submit(proposal, moment):
        with at(moment):
            proposal, _version = services.submit(proposal=proposal, user=author)
        return proposal

    # One approved after a return: 3 days at its first stage, 20 at the next (returned), then 61
    # there after resubmission, and 10 at each stage after that.
    first = submit(complete_proposal(author=author, unit=unit, title="First"), day(2, 10))
    first = step(first, day(2, 13), "approve")
    first = step(first, day(3, 5), "request_changes")
    first = submit(first, day(3, 20))
    moment = day(3, 20) + timedelta(days=61)
    while first.state != State.APPROVED:
        first = step(first, moment, "approve")
        moment += timedelta(days=10)
    # One rejected at its first stage after 8 days; one still waiting there (no stay yet).
    second = submit(complete_proposal(author=author, unit=unit, title="Second"), day(4, 1))
    step(second, day(4, 9), "reject")
    submit(complete_proposal(author=author, unit=unit, title="Third"), day(5, 1))
    return stays


ALIGNMENT = (
    {"targetName": "Teamwork", "targetFramework": NACE_FRAMEWORK},
    {"targetName": "Only {name}", "targetFramework": NACE_FRAMEWORK},
    {"targetName": "Not NACE", "targetFramework": "Another framework"},
)


def awards(demo, per_credential):
    """Awards issued at known dates: {micro-credential name: [(month, day), …]}."""
    dates = {name: [day(*d) for d in days] for name, days in per_credential.items()}
    return issued_awards(demo["faculty"], dates, alignment=ALIGNMENT)


def trend_of(client, key):
    with at(NOW):
        response = client.get(reverse("review:dashboard"))
    assert response.status_code == 200
    return next(t for t in response.context["trends"].trends if t.key == key), response.content.decode()


class Tables(HTMLParser):
    """The dashboard's tables of numbers, by their ``data-trend``: rows of cell texts."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.current, self.cell = {}, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-trend" in attrs:
            self.current = self.tables.setdefault(attrs["data-trend"], [])
        elif self.current is not None and tag == "tr":
            self.current.append([])
        elif self.current is not None and tag in ("th", "td"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif self.cell is not None and tag in ("th", "td"):
            self.current[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def csv_rows(client, key):
    with at(NOW):
        response = client.get(reverse("review:dashboard_csv"), {"chart": key})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


# --- the numbers are the history's ------------------------------------------------------------------


def test_proposals_per_month_count_the_transitions_of_each_month(client, demo, history):
    client.force_login(demo["office"])
    pipeline, _html = trend_of(client, "pipeline")
    rows = {row[0]: row[1:] for row in pipeline.rows}
    assert next(iter(rows)) == "Aug 2024" and [*rows][-1] == "Jul 2025" and len(rows) == 12
    # Submitted, resubmitted, approved (finally), returned, rejected.
    assert rows["Feb 2025"] == (1, 0, 0, 0, 0)
    assert rows["Mar 2025"] == (0, 1, 0, 1, 0)
    assert rows["Apr 2025"] == (1, 0, 0, 0, 1)
    approved_in = AuditEvent.objects.get(action="approved", to_state=State.APPROVED).created_at
    assert sum(r[2] for r in rows.values()) == 1 and rows[f"{approved_in:%b %Y}"][2] == 1
    assert rows["May 2025"][0] == 1  # the third, still waiting
    assert rows["Dec 2024"] == (0, 0, 0, 0, 0)


def test_time_in_stage_is_the_distribution_of_the_stays(client, demo, history):
    client.force_login(demo["office"])
    stage_time, _html = trend_of(client, "stage-time")
    by_stage = {row[0]: row for row in stage_time.rows}
    assert history, "the workflow made stays"
    for label, days in history.items():
        row = by_stage[label]
        assert row[1] == len(days)
        assert row[2:7] == (
            sum(d < 7 for d in days),
            sum(7 <= d < 14 for d in days),
            sum(14 <= d < 30 for d in days),
            sum(30 <= d < 60 for d in days),
            sum(d >= 60 for d in days),
        )
        assert row[7] == pytest.approx(statistics.median(days), abs=0.05)
    first_stage = next(iter(history))
    # Its stays: 3, 8 (rejected): the 90th percentile interpolates between them, as percentile_cont does.
    assert sorted(history[first_stage]) == [3, 8]
    assert by_stage[first_stage][8] == pytest.approx(3 + 0.9 * 5, abs=0.05)
    untouched = [row for label, row in by_stage.items() if label not in history]
    assert all(row[1:] == (0, 0, 0, 0, 0, 0, None, None) for row in untouched)


def test_where_proposals_wait_longest_puts_the_longest_stay_first(client, demo, history):
    client.force_login(demo["office"])
    waits, html = trend_of(client, "waits")
    longest = max(history, key=lambda label: max(history[label]))
    assert waits.rows[0][0] == longest  # its 20 and 61 days
    assert waits.rows[0][2] == pytest.approx(20 + 0.9 * 41, abs=0.05)
    assert 'role="img"' in html and f'aria-labelledby="{waits.dom_id}-title {waits.dom_id}-caption"' in html


def test_awards_per_month_per_credential_and_per_nace_competency(client, demo):
    awards(demo, {"Data Storytelling": [(3, 2), (3, 20), (5, 5)], "Grant Writing": [(5, 6)]})
    client.force_login(demo["office"])
    per_month, _html = trend_of(client, "awards")
    months = dict(per_month.rows)
    assert months["Mar 2025"] == 2 and months["May 2025"] == 2 and sum(months.values()) == 4
    credentials, _html = trend_of(client, "credentials")
    assert credentials.rows == [("Data Storytelling", 3), ("Grant Writing", 1)]
    competencies, _html = trend_of(client, "competencies")
    assert competencies.rows == [("Teamwork", 4), ("Only Data Storytelling", 3), ("Only Grant Writing", 1)]


def test_without_awards_the_award_charts_say_so(client, demo):
    client.force_login(demo["office"])
    _trend, html = trend_of(client, "awards")
    assert "No awards issued in the last twelve months." in html


# --- the CSV is the table ----------------------------------------------------------------------------


def test_each_csv_download_holds_exactly_its_table(client, demo, history):
    awards(demo, {"Data Storytelling": [(3, 2)]})
    client.force_login(demo["office"])
    _trend, html = trend_of(client, "pipeline")
    tables = Tables(html).tables
    keys = [t.key for t in trends.dashboard_trends(trends.Period.last(now=NOW))]
    assert (
        set(tables)
        == set(keys)
        == {"pipeline", "waits", "stage-time", "awards", "credentials", "competencies"}
    )
    for key in keys:
        assert csv_rows(client, key) == tables[key], key
        assert f'href="{reverse("review:dashboard_csv")}?chart={key}"' in html


def test_a_csv_cell_a_spreadsheet_would_run_is_quoted(client, demo):
    awards(demo, {'=HYPERLINK("http://evil.example","Click")': [(6, 1)], "@SUM(A1)": [(6, 2)]})
    client.force_login(demo["office"])
    names = [row[0] for row in csv_rows(client, "credentials")[1:]]
    assert names == ['\'=HYPERLINK("http://evil.example","Click")', "'@SUM(A1)"]
    competencies = [row[0] for row in csv_rows(client, "competencies")[1:]]
    assert '\'=HYPERLINK("http://evil.example","Click")' not in competencies  # "Only =…" is safe
    assert 'Only =HYPERLINK("http://evil.example","Click")' in competencies


# --- who reads them ----------------------------------------------------------------------------------


def test_an_unknown_chart_is_not_found(client, demo):
    client.force_login(demo["office"])
    for chart in ("nope", "", "../pipeline", "PIPELINE"):
        assert client.get(reverse("review:dashboard_csv"), {"chart": chart}).status_code == 404
    assert client.get(reverse("review:dashboard_csv")).status_code == 404


@pytest.mark.parametrize("username", ["faculty", "gc-chair", "unitreviewer", "learner"])
def test_only_the_office_downloads_the_numbers(client, demo, username):
    client.force_login(demo[username])
    assert client.get(reverse("review:dashboard_csv"), {"chart": "pipeline"}).status_code == 403
    assert client.get(reverse("review:dashboard")).status_code == 403


def test_the_dashboard_has_no_inline_script_or_style(client, demo, history):
    client.force_login(demo["office"])
    _trend, html = trend_of(client, "pipeline")
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert html.count("<svg ") == 3  # the award charts say there are no awards yet


def test_the_trends_are_kept_until_the_refresh_job_runs_and_the_page_says_when(client, demo, history):
    from review.tasks import refresh_dashboard_trends

    client.force_login(demo["office"])
    pipeline, html = trend_of(client, "pipeline")
    assert "Figures as of" in html and rows_of(pipeline)["May 2025"][0] == 1
    author = demo["faculty"]
    with at(day(5, 20)):
        services.submit(proposal=complete_proposal(author=author, title="Fourth"), user=author)
    # The next visit shows the kept figures (read from no table) …
    assert rows_of(trend_of(client, "pipeline")[0])["May 2025"][0] == 1
    # … until the beat job has computed them again; the CSV then agrees with the page.
    with at(NOW):
        assert refresh_dashboard_trends.apply().get() == len(trends.dashboard_trends())
    assert rows_of(trend_of(client, "pipeline")[0])["May 2025"][0] == 2
    with at(NOW):
        csv_text = client.get(reverse("review:dashboard_csv"), {"chart": "pipeline"}).content.decode()
    assert "May 2025,2," in csv_text


def rows_of(trend):
    return {row[0]: row[1:] for row in trend.rows}
