"""Junk in any form field or query parameter answers with a message or a 404, never a server error
(issue 12): Hypothesis throws generated values (Unicode digits, huge and negative numbers, floats,
NUL characters, very long strings, several values for one name, odd files) at every page that takes
parameters, as a demo role that may use it and on an object that role may act on; a refused form
leaves the data as it was.

The demo site is built once for the module; every example runs in a transaction rolled back at its
end, so each starts from the same data and the file stays fast on SQLite and PostgreSQL alike."""

import importlib
import re
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from operator import mul

import pytest
from allauth.account.forms import SignupForm
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordChangeForm
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from badges.awarding import bulk
from badges.awarding.forms import BulkUploadForm, ExpiryForm
from badges.issuing.forms import RevokeForm
from badges.learning.forms import EvidenceForm, JoinForm, NamesForm, ReviewEvidenceForm
from core.fields import SafeDateTimeField, SafeModelChoiceField, SafeModelMultipleChoiceField
from microcred.forms import LoginForm, QueuedPasswordResetForm
from proposals.forms import (
    SECTIONS,
    AttachmentForm,
    CommentForm,
    ConsultationForm,
    NewProposalForm,
    RevisionForm,
)
from proposals.views import _build_forms
from review import selectors as review_selectors
from review.forms import (
    AgendaAddForm,
    CloseVoteForm,
    CompleteConsultationForm,
    DecisionForm,
    DeliveryForm,
    FeeSignoffForm,
    InternalNoteForm,
    MeetingForm,
    MoveToProfileForm,
    ReasonForm,
    RetireForm,
    VoteForm,
)
from transcripts.forms import CorrectForm, PostForm, RejectForm, TermForm

# The test database is set up for the module; its data is built once, by ``site``.
pytestmark = pytest.mark.django_db

EXAMPLES_PER_PAGE = 25
PER_PAGE = hypothesis_settings(
    max_examples=EXAMPLES_PER_PAGE,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- junk ----------------------------------------------------------------------------------------

HUGE = "99999999999999999999"
# Ids no browser sends: past the database's range (server errors before), Unicode digits (read as the
# id they spell), and other junk.
BAD_IDS = [HUGE, str(2**63), "-1", "0", "²", "1e5", "0x10", "1_0", " 7", "\x00", "x" * 10_000]
KNOWN_JUNK = [
    *BAD_IDS,
    str(2**31),
    "٣",
    "１２",
    "",
    " ",
    "NaN",
    "-Infinity",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "on",
    "None",
    "[]",
    "\r\n",
]
# Any character a browser can send: everything but lone surrogates, which UTF-8 cannot carry.
odd_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
long_text = st.builds(
    mul, st.sampled_from(["x", "é", "²", "\x00", "9", "\U0001f4a5", "ab\n"]), st.integers(250, 12_000)
)
numbers = st.one_of(
    st.integers(), st.integers(min_value=2**31 - 2, max_value=2**64 + 2), st.integers(max_value=0)
).map(str)
dates = st.one_of(
    st.dates().map(date.isoformat),
    st.datetimes().map(lambda moment: moment.isoformat(timespec="minutes")),
)
junk = st.one_of(st.sampled_from(KNOWN_JUNK), numbers, st.floats().map(str), odd_text, long_text, dates)
files = st.builds(
    SimpleUploadedFile,
    st.one_of(
        st.sampled_from(["a.pdf", "class.csv", "../../etc/passwd", "é.png", ".docx", "x" * 300 + ".pdf"]),
        st.text(
            st.characters(exclude_categories=("Cs", "Cc"), exclude_characters='"\\/'), min_size=1, max_size=30
        ),
    ),
    st.one_of(
        st.binary(max_size=300),
        st.sampled_from(
            [
                b"%PDF-1.4\n%junk",
                b"email,given name,family name,student ID,evidence URL,narrative\nx@example.edu,A,B,,,\n",
                b"email\n" + b"\x00" * 50,
                "email,given name\n²@x,\u202e\n".encode(),
                b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["x"]}',
            ]
        ),
    ),
)


def value_for(sensible):
    """Junk, several junk values at once, or (to reach the checks behind the first) a sensible one."""
    choices = [junk, st.lists(junk, min_size=1, max_size=3)]
    if sensible:
        good = st.sampled_from([str(value) for value in sensible])
        choices += [good, st.lists(st.one_of(good, junk), min_size=1, max_size=3)]
    return st.one_of(choices)


def request_data(parameters, file_fields=()):
    """Any subset of the page's parameters, each with a value from ``value_for``."""
    optional = {name: value_for(sensible) for name, sensible in parameters.items()}
    optional.update({name: st.one_of(files, junk) for name in file_fields})
    return st.fixed_dictionaries({}, optional=optional)


# --- the demo site --------------------------------------------------------------------------------

PROFILE = "binghamton"


@dataclass
class Site:
    folder: object
    users: dict
    draft: object  # the faculty member's draft, with a consultation open
    in_unit_review: object
    in_vote: object
    ballot: object
    meeting: object  # of the voting body, with the proposal in the vote on its agenda
    approved: object
    published: object
    achievement: object
    award: object  # the demo learner's, issued
    enrolment: object  # student-ana's, one part's evidence waiting for its evaluator
    open_part: str
    evidence: object
    record: object  # pending
    term: object
    batch: object  # not yet posted


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo site with an object for each page: built once, rolled back at the end."""
    from microcred.celery import app

    folder = tmp_path_factory.mktemp("junk-site")
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    with (
        django_db_blocker.unblock(),
        override_settings(
            MICROCRED_POLICY=PROFILE,
            MEDIA_ROOT=folder / "media",
            ISSUER_KEY_DIR=folder / "issuer-keys",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        transaction.atomic(),
    ):
        yield _build_site(folder)
        transaction.set_rollback(True)
    app.conf.task_always_eager = eager


def _build_site(folder):
    from badges.learning import selectors as learning_selectors
    from badges.learning import services as learning
    from badges.models import Achievement, Award
    from microcred.demo import seed_demo
    from proposals.models import Proposal
    from review import services as review_services
    from transcripts.models import Batch, Term, TranscriptRecord

    seed_demo()
    users = get_user_model().objects.in_bulk(field_name="username")
    by_code = {p.code: p for p in Proposal.objects.all()}
    in_vote = by_code["MC-DEMO-2"]
    ballot = review_selectors.open_ballot(in_vote)
    chair = users[f"{ballot.body.slug}-chair"]
    meeting = review_services.create_meeting(
        body=ballot.body, user=chair, date=timezone.now() + timedelta(days=7), location="Room 1"
    )
    review_services.change_agenda(meeting=meeting, user=chair, action="add", proposal=in_vote)
    published = by_code["MC-DEMO-5"]
    achievement = Achievement.objects.filter(proposal=published).latest("version")
    ana = users["student-ana"]
    enrolment = learning.join(user=ana, achievement=achievement)
    parts = [part for part, _title in learning_selectors.required_parts(achievement)]
    evidence = learning.submit_evidence(enrolment=enrolment, user=ana, part=parts[0], text="My portfolio.")
    return Site(
        folder=folder,
        users=users,
        draft=by_code["MC-DEMO-6"],
        in_unit_review=by_code["MC-DEMO-1"],
        in_vote=in_vote,
        ballot=ballot,
        meeting=meeting,
        approved=by_code["MC-DEMO-4"],
        published=published,
        achievement=achievement,
        award=Award.objects.get(learner=users["learner"], achievement__proposal=published),
        enrolment=enrolment,
        open_part=parts[-1],
        evidence=evidence,
        record=TranscriptRecord.objects.filter(state=TranscriptRecord.State.PENDING).first(),
        term=Term.objects.order_by("start").first(),
        batch=Batch.objects.filter(posted_at__isnull=True).first(),
    )


@pytest.fixture(autouse=True)
def _site_settings(_private_media, settings, site):
    # The profile, issuer keys and uploads the module's site was built with.
    settings.MICROCRED_POLICY = PROFILE
    settings.MEDIA_ROOT = site.folder / "media"
    settings.ISSUER_KEY_DIR = site.folder / "issuer-keys"


# Writes a refused request may make: its session (a refused decision is kept there to be shown
# again) and django-axes' record of a failed login.
UNWATCHED_TABLES = re.compile(r"django_session|axes_")
WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


@contextmanager
def recorded_writes():
    """The tables that statements run inside the block wrote rows to (every statement passes
    through Django's connection, on PostgreSQL and SQLite alike)."""
    written = []

    def record(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        write = WRITE.match(sql)
        if write and context["cursor"].rowcount and not UNWATCHED_TABLES.match(write[1]):
            written.append(write[1])
        return result

    with connection.execute_wrapper(record):
        yield written


def refused(response):
    """A page shown again (with its errors), a 4xx, or a redirect carrying an error or a warning."""
    return response.status_code != 302 or any(
        message.level >= messages.WARNING for message in messages.get_messages(response.wsgi_request)
    )


def client_for(site, username):
    client = Client(raise_request_exception=False)
    if username:
        client.force_login(site.users[username])
    return client


# --- the pages ------------------------------------------------------------------------------------


def parameters_of(built):
    """The names the forms post (prefixes, formset management and rows included), each with a few
    sensible values: its choices, or the ids its model choices offer."""
    found = {}
    for form in built:
        if isinstance(form, forms.BaseFormSet):
            found.update(parameters_of([form.management_form, *form.forms, form.empty_form]))
            continue
        for name, form_field in form.fields.items():
            sensible = []
            if isinstance(form_field, forms.ModelChoiceField):
                sensible = [obj.pk for obj in form_field.queryset[:3]]
            elif isinstance(form_field, forms.ChoiceField):
                sensible = [value for value, _label in form_field.choices if value != ""][:6]
            elif isinstance(form_field, forms.BooleanField):
                sensible = ["on"]
            found[form.add_prefix(name).replace("__prefix__", "1")] = sensible
    return found


@dataclass(frozen=True)
class Page:
    """A page taking parameters: who uses it, on what, and where its parameters come from: the
    view's own forms, built as the view builds them, and the names it reads outside a form."""

    route: str
    user: str | None
    args: object = lambda s: ()
    forms: object = lambda s: ()
    reads: object = lambda s: {}
    files: tuple = ()
    method: str = "post"
    examples: tuple = ()
    label: str = ""
    max_examples: int = EXAMPLES_PER_PAGE

    def __str__(self):
        return f"{self.method} {self.label or self.route} as {self.user or 'anonymous'}"

    def parameters(self, site):
        return {**parameters_of(self.forms(site)), **self.reads(site)}


SECTION_EXAMPLES = {
    "basics": [
        {"basics-unit": bad, "basics-co_sponsors": [bad, "1"], "basics-co_authors": [bad]} for bad in BAD_IDS
    ],
    "outcomes": [
        {"competencies-competencies": ["1", bad], "outcomes-0-competencies": [bad]} for bad in BAD_IDS
    ],
    "implementation": [{"implementation-components": [bad]} for bad in BAD_IDS],
    "courses": [{"courses-TOTAL_FORMS": "99999", "courses-INITIAL_FORMS": "0"}],
}


def section_page(section):
    return Page(
        "proposals:edit",
        "faculty",
        args=lambda s: (s.draft.pk, section.slug),
        forms=lambda s: _build_forms(section, s.draft),
        reads=lambda s: {"continue": ["1"]},
        examples=tuple(SECTION_EXAMPLES.get(section.slug, ())),
        label=f"proposals:edit {section.slug}",
    )


OPTIONAL_TEXT = "y" * 2001
FORM_PAGES = [
    Page(
        "proposals:create",
        "faculty",
        forms=lambda s: [NewProposalForm(user=s.users["faculty"])],
        examples=tuple({"unit": bad, "title": "T"} for bad in BAD_IDS),
    ),
    *[section_page(section) for section in SECTIONS if section.forms],
    Page(
        "proposals:upload",
        "faculty",
        args=lambda s: (s.draft.pk,),
        forms=lambda s: [AttachmentForm()],
        files=("file",),
    ),
    Page("proposals:comment", "faculty", args=lambda s: (s.draft.pk,), forms=lambda s: [CommentForm()]),
    Page("proposals:consult", "faculty", args=lambda s: (s.draft.pk,), forms=lambda s: [ConsultationForm()]),
    Page(
        "review:decide",
        "unitreviewer",
        args=lambda s: (s.in_unit_review.pk,),
        forms=lambda s: [DecisionForm()],
        reads=lambda s: {"expected_state": [s.in_unit_review.state]},
        examples=({"decision": "approve", "expected_state": "\x00"},),
    ),
    Page("review:vote", "gc-member2", args=lambda s: (s.in_vote.pk,), forms=lambda s: [VoteForm()]),
    Page(
        "review:close_vote",
        "gc-chair",
        args=lambda s: (s.in_vote.pk,),
        forms=lambda s: [CloseVoteForm(meetings=[s.meeting])],
        reads=lambda s: {"ballot": [s.ballot.pk]},
        examples=(
            {"ballot": "²"},
            {"ballot": HUGE},
            *({"ballot": "1", "meeting": bad} for bad in BAD_IDS),
        ),
    ),
    Page(
        "review:remind_voters",
        "gc-chair",
        args=lambda s: (s.in_vote.pk,),
        reads=lambda s: {"ballot": [s.ballot.pk]},
        examples=tuple({"ballot": bad} for bad in BAD_IDS),
    ),
    Page(
        "review:withdraw",
        "faculty",
        args=lambda s: (s.draft.pk,),
        forms=lambda s: [ReasonForm()],
        examples=({"reason": OPTIONAL_TEXT}, {"reason": "\x00"}),
    ),
    Page(
        "review:retire",
        "office",
        args=lambda s: (s.published.pk,),
        forms=lambda s: [RetireForm()],
        examples=({"reason": OPTIONAL_TEXT},),
    ),
    Page(
        "review:fee_signoff",
        "office",
        args=lambda s: (s.approved.pk,),
        forms=lambda s: [FeeSignoffForm()],
        examples=({"note": "\x00"},),
    ),
    Page(
        "review:move_to_profile",
        "office",
        args=lambda s: (s.in_vote.pk,),
        forms=lambda s: [MoveToProfileForm()],
    ),
    Page("review:note", "gc-member1", args=lambda s: (s.in_vote.pk,), forms=lambda s: [InternalNoteForm()]),
    Page(
        "review:complete_consultation",
        "office",
        args=lambda s: (s.draft.pk,),
        forms=lambda s: [CompleteConsultationForm()],
    ),
    Page("review:email_settings", "coauthor", forms=lambda s: [DeliveryForm()]),
    Page(
        "review:meeting_create",
        "gc-chair",
        args=lambda s: (s.ballot.body_id,),
        forms=lambda s: [MeetingForm()],
        examples=({"date": "9999-12-31T23:59"}, {"date": "0001-01-01T00:00"}),
    ),
    Page(
        "review:agenda",
        "gc-chair",
        args=lambda s: (s.meeting.pk,),
        forms=lambda s: [AgendaAddForm(candidates=review_selectors.agenda_candidates(s.meeting))],
        reads=lambda s: {
            "action": ["add", "remove", "up", "down"],
            "item": list(s.meeting.items.values_list("pk", flat=True)),
        },
        examples=(
            *({"action": "add", "proposal": bad} for bad in BAD_IDS),
            {"action": "remove", "item": "²"},
            {"action": "up", "item": HUGE},
        ),
    ),
    Page("badges:revoke", "office", args=lambda s: (s.award.public_id,), forms=lambda s: [RevokeForm()]),
    Page(
        "badges:sharing", "learner", args=lambda s: (s.award.public_id,), reads=lambda s: {"listed": ["on"]}
    ),
    Page("badges:join", "learner", args=lambda s: (s.achievement.uuid,), forms=lambda s: [JoinForm()]),
    Page("badges:names", "learner", forms=lambda s: [NamesForm()]),
    Page(
        "badges:submit_evidence",
        "student-ana",
        args=lambda s: (s.enrolment.pk, s.open_part),
        forms=lambda s: [EvidenceForm(prefix=s.open_part.replace(":", "-"))],
        files=("file",),
    ),
    Page(
        "badges:review", "evaluator", args=lambda s: (s.evidence.pk,), forms=lambda s: [ReviewEvidenceForm()]
    ),
    Page(
        "badges:awarding",
        "evaluator",
        forms=lambda s: [BulkUploadForm(achievements=bulk.awardable(s.users["evaluator"]))],
        files=("file",),
        examples=tuple({"achievement": bad} for bad in BAD_IDS),
    ),
    Page(
        "badges:expiry",
        "office",
        args=lambda s: (s.achievement.uuid,),
        forms=lambda s: [ExpiryForm()],
        reads=lambda s: {"confirm": ["yes"]},
        examples=(
            {"valid_until": "9999-12-31", "reason": "r"},
            {"valid_until": "9999-12-31", "reason": "r", "confirm": "yes"},
            {"valid_until": "0001-01-01", "reason": "r", "confirm": "yes"},
        ),
    ),
    Page("badges:verify", None, reads=lambda s: {"credential": []}, files=("credential",)),
    Page(
        "transcripts:bulk",
        "registrar",
        forms=lambda s: [RejectForm()],
        reads=lambda s: {
            "records": [s.record.pk],
            "action": ["verify", "reject"],
            "next": ["state=pending&sort=name"],
        },
        examples=(
            {"records": BAD_IDS, "action": "verify"},
            {"records": "1", "action": "reject", "reason": OPTIONAL_TEXT},
            {"records": "1", "action": "verify", "next": "a\r\nLocation: http://evil.example"},
        ),
    ),
    Page("transcripts:record", "registrar", args=lambda s: (s.record.pk,), forms=lambda s: [CorrectForm()]),
    Page(
        "proposals:revise",
        "faculty",
        args=lambda s: (s.published.pk,),
        forms=lambda s: [RevisionForm()],
        examples=(
            {"effective_from": "0001-01-01"},
            {"effective_from": "9999-12-31"},
            {"effective_from": "2026-02-31"},
            {"effective_from": "\x00"},
            {"effective_from": "9" * 5000},
        ),
    ),
    Page("transcripts:terms", "registrar", forms=lambda s: [TermForm()]),
    Page(
        "transcripts:term",
        "registrar",
        args=lambda s: (s.term.pk,),
        forms=lambda s: [TermForm(instance=s.term)],
        examples=({"code": "x", "name": "y", "start": "9999-12-31", "end": "0001-01-01"},),
    ),
    Page(
        "transcripts:batch_create",
        "registrar",
        reads=lambda s: {"term": [s.term.pk]},
        examples=tuple({"term": bad} for bad in BAD_IDS),
    ),
    Page("transcripts:batch", "registrar", args=lambda s: (s.batch.pk,), forms=lambda s: [PostForm()]),
    Page(
        "login",
        None,
        forms=lambda s: [LoginForm()],
        reads=lambda s: {"next": ["/proposals/"]},
        examples=({"username": "x" * 256, "password": HUGE},),
    ),
    Page("password_reset", None, forms=lambda s: [QueuedPasswordResetForm()]),
    Page("password_change", "faculty", forms=lambda s: [PasswordChangeForm(s.users["faculty"])]),
    Page(
        "account_signup",
        None,
        forms=lambda s: [SignupForm()],
    ),
]


def any_of(*names):
    """Pages that read no query parameter: the usual names, with junk."""
    return lambda s: dict.fromkeys(names, ())


USUAL_NAMES = any_of("page", "q", "sort", "state", "unit", "next")
QUERY_PAGES = [
    Page(
        "proposals:search",
        "faculty",
        reads=lambda s: {
            "q": ["data"],
            "unit": [s.draft.unit_id],
            "competency": list(s.draft.competencies.values_list("pk", flat=True)),
            "state": ["draft", "published"],
            "page": ["1", "2"],
        },
        examples=(*({"unit": bad} for bad in BAD_IDS), {"competency": "²"}, {"q": "\x00"}),
    ),
    Page("proposals:mine", "faculty", reads=lambda s: {"page": ["1", "2"], "state": ["draft", "returned"]}),
    Page(
        "proposals:versions",
        "faculty",
        args=lambda s: (s.in_vote.pk,),
        reads=lambda s: {"from": ["1"], "to": ["1"]},
        examples=({"from": "²", "to": HUGE}, {"from": "9" * 5000}),
    ),
    Page(
        "proposals:edit", "faculty", args=lambda s: (s.draft.pk, "basics"), reads=lambda s: {"check": ["1"]}
    ),
    Page(
        "review:queue",
        "gc-chair",
        reads=lambda s: {"sort": list(review_selectors.SORTS), "page": ["1"]},
    ),
    # Each dashboard request computes every trend (close to a second on SQLite): fewer examples.
    Page("review:dashboard", "office", reads=USUAL_NAMES, max_examples=8),
    Page(
        "review:dashboard_csv",
        "office",
        reads=lambda s: {"chart": ["pipeline", "waits", "awards"]},
        max_examples=8,
        examples=({"chart": "\x00"}, {"chart": "x" * 10_000}),
    ),
    Page("review:meetings", "gc-chair", reads=USUAL_NAMES),
    Page(
        "transcripts:queue",
        "registrar",
        reads=lambda s: {
            "state": ["pending", "verified"],
            "term": [s.term.code, "none"],
            "unit": [s.draft.unit_id],
            "credential": ["MC-DEMO-7"],
            "level": ["Undergraduate"],
            "q": ["B00020001", "ana"],
            "sort": ["oldest", "name"],
            "page": ["1", "2"],
        },
        examples=(
            *({"unit": bad} for bad in BAD_IDS),
            {"q": "\x00"},
            {"term": "\x00"},
            {"level": "\x00"},
            {"credential": "x" * 10_000},
        ),
    ),
    Page("transcripts:batches", "registrar", reads=USUAL_NAMES),
    Page("badges:catalog", None, reads=any_of("q", "who", "kind", "level", "unit", "competency", "fee")),
    Page("badges:catalog", "learner", reads=USUAL_NAMES),
    Page("badges:evaluation_queue", "evaluator", reads=USUAL_NAMES),
    Page("badges:awarding", "office", reads=USUAL_NAMES),
    Page("badges:my_awards", "learner", reads=USUAL_NAMES),
    Page(
        "badges:holders",
        "office",
        args=lambda s: (s.achievement.uuid,),
        reads=any_of("q", "state", "since", "until", "page", "format"),
    ),
    Page("badges:verify", None, reads=USUAL_NAMES),
    Page("home", "faculty", reads=USUAL_NAMES),
    Page("login", None, reads=lambda s: {"next": ["/proposals/", "//evil.example"]}),
]
QUERY_PAGES = [replace(page, method="get") for page in QUERY_PAGES]


# --- the tests ------------------------------------------------------------------------------------


def _send(page, site, url, data):
    with transaction.atomic():
        client = client_for(site, page.user)
        with recorded_writes() as written:
            response = getattr(client, page.method)(url, data)
        assert response.status_code != 500, f"{page}: {data!r} answered 500"
        if page.method == "post" and refused(response):
            assert written == [], f"{page}: refused {data!r}, yet wrote to {written}"
        transaction.set_rollback(True)


def _throw_junk(page, site):
    url = reverse(page.route, args=page.args(site))

    @hypothesis_settings(PER_PAGE, max_examples=page.max_examples)
    @given(data=request_data(page.parameters(site), page.files))
    def check(data):
        _send(page, site, url, data)

    for known in page.examples:
        check = example(data=known)(check)
    check()


@pytest.mark.parametrize("page", FORM_PAGES, ids=str)
def test_junk_in_a_form_is_refused_with_a_message(site, page):
    _throw_junk(page, site)


@pytest.mark.parametrize("page", QUERY_PAGES, ids=str)
def test_junk_in_a_query_string_never_fails(site, page):
    _throw_junk(page, site)


# --- ids in the path ------------------------------------------------------------------------------


def routes(resolver=None, namespace=""):
    """(route name, its pattern) for every named URL of the product (not the admin's)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern


ID_ROUTES = sorted(
    name
    for name, pattern in routes()
    if any(isinstance(converter, IntConverter) for converter in getattr(pattern, "converters", {}).values())
)


def _path_arguments(site, pattern, number):
    """The route's arguments: ``number`` for every integer, a real value for the others."""
    real = {
        "section": "basics",
        "part": site.open_part,
        "kind": "csv",
        "uuid": site.achievement.uuid,
        "public_id": site.award.public_id,
    }
    return {
        name: number if isinstance(converter, IntConverter) else real[name]
        for name, converter in pattern.converters.items()
    }


@pytest.mark.parametrize("route", ID_ROUTES)
def test_any_id_in_the_path_answers_without_a_server_error(site, route):
    pattern = dict(routes())[route]

    @hypothesis_settings(PER_PAGE, max_examples=4)
    @given(number=st.one_of(st.integers(min_value=0), st.integers(min_value=2**31 - 1, max_value=2**66)))
    @example(number=2**63)
    @example(number=int(HUGE))
    def check(number):
        url = reverse(route, kwargs=_path_arguments(site, pattern, number))
        with transaction.atomic():
            client = client_for(site, "admin")
            assert client.get(url).status_code != 500, url
            assert client.post(url).status_code != 500, url
            transaction.set_rollback(True)

    check()


# --- every page and every form is covered -----------------------------------------------------------

# Routes whose views read no form and no query string: documents, files, and buttons that post
# nothing but the CSRF token (junk in their path ids is tested above).
READ_NOTHING = {
    "badges:reissue_names",
    # reads its body, not parameters: given junk bodies in tests/badges/test_verify_api.py
    "badges:verify_api",
    "healthz",
    "readyz",
    "favicon",
    "did_document",
    "did_document_below_path",
    "logout",
    "password_reset_done",
    "password_reset_complete",
    "password_change_done",
    # Django's own set-password form, shown only with a valid token from an email: not covered.
    "password_reset_confirm",
    # The institution's sign-in: allauth (python3-saml for SAML) reads what the identity provider
    # sends; junk is refused in tests/project/test_single_sign_on.py and test_saml_sign_on.py.
    "openid_connect_login",
    "openid_connect_callback",
    "saml_login",
    "saml_acs",
    "saml_finish_acs",
    "saml_sls",
    "saml_metadata",
    "proposals:detail",
    "proposals:version",
    "proposals:duplicate",
    "proposals:duplicate_version",
    "proposals:download",
    "proposals:delete_attachment",
    "review:meeting",
    "review:submit",
    "review:publish",
    "badges:issuer",
    "badges:key",
    "badges:achievement",
    "badges:achievement_image",
    "badges:status_list",
    "badges:status_list_did",
    "badges:award",
    "badges:award_json",
    "badges:award_png",
    "badges:award_svg",
    "badges:credly_retry",
    "badges:catalog_detail",
    "badges:enrolment",
    "badges:bulk_template",
    "badges:bulk",
    "badges:bulk_confirm",
    "badges:bulk_cancel",
    "badges:bulk_file",
    "badges:expiry_status",
    "badges:evidence_file",
    "transcripts:batch_file",
}
PRODUCT_NAMESPACES = ("proposals:", "review:", "badges:", "transcripts:")


def test_every_page_of_the_product_is_given_junk_or_reads_nothing():
    covered = {page.route for page in FORM_PAGES + QUERY_PAGES} | READ_NOTHING
    product = {name for name, _pattern in routes() if name.startswith(PRODUCT_NAMESPACES) or ":" not in name}
    allauth = {name for name in product if name.startswith("account_") or name.startswith("socialaccount_")}
    assert sorted(product - allauth - covered) == [], (
        "add the page to FORM_PAGES, QUERY_PAGES or READ_NOTHING"
    )


def _forms_of(module_name):
    """The forms a module defines, and the forms of the formsets it makes."""
    for value in vars(importlib.import_module(module_name)).values():
        if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module_name:
            yield value
        elif isinstance(value, type) and issubclass(value, forms.BaseFormSet) and hasattr(value, "form"):
            yield value.form


@pytest.mark.parametrize(
    "module",
    [
        "proposals.forms",
        "review.forms",
        "badges.learning.forms",
        "badges.awarding.forms",
        "badges.issuing.forms",
        "badges.verification.forms",
        "transcripts.forms",
    ],
)
def test_every_form_refuses_bad_ids_and_moments_before_the_database(module):
    unsafe = [
        f"{form.__name__}.{name}"
        for form in _forms_of(module)
        for name, form_field in form.base_fields.items()
        if (
            isinstance(form_field, forms.ModelChoiceField)
            and not isinstance(form_field, SafeModelChoiceField | SafeModelMultipleChoiceField)
        )
        or (isinstance(form_field, forms.DateTimeField) and not isinstance(form_field, SafeDateTimeField))
    ]
    assert unsafe == [], "use core.fields (Meta.formfield_callback = safe_formfield)"


# --- the known cases, in words ----------------------------------------------------------------------


def arabic_indic(number):
    """``number`` in Arabic-Indic digits, which ``int()`` reads as the same number."""
    return "".join(chr(0x660 + int(digit)) for digit in str(number))


def test_unicode_digits_do_not_choose_the_object_they_spell(site):
    unit = site.draft.unit
    assert int(arabic_indic(unit.pk)) == unit.pk  # what Django's own field read it as
    form = NewProposalForm(
        data={"title": "T", "kind": "non_credit", "form": "digital_badge", "level": "undergraduate"}
        | {"unit": arabic_indic(unit.pk)},
        user=site.users["faculty"],
    )
    assert form.errors["unit"] == ["Select a valid choice. That choice is not one of the available choices."]


def test_unicode_digits_do_not_choose_a_row_of_a_repeating_part(site):
    from proposals.forms import CourseFormSet

    course = site.draft.courses.first()
    row = {"id": arabic_indic(course.pk), "subject": "CS", "number": "410", "title": "T", "credits": "3"}
    data = {"courses-TOTAL_FORMS": "1", "courses-INITIAL_FORMS": "1"} | {
        f"courses-0-{name}": value for name, value in row.items()
    }
    formset = CourseFormSet(data, instance=site.draft, prefix="courses")
    assert not formset.is_valid()
    assert formset.forms[0].errors["id"][0].startswith("Select a valid choice.")


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_id_in_a_multiple_choice_is_refused_with_the_usual_message(site, bad):
    from proposals.forms import CompetenciesForm

    form = CompetenciesForm(data={"competencies": ["1", bad]}, instance=site.draft)
    assert not form.is_valid()
    assert form.errors["competencies"][0].startswith("Select a valid choice.")


def test_an_over_long_reason_stops_a_withdrawal_and_says_why(site):
    from proposals.policy import State

    with transaction.atomic():
        client = client_for(site, "faculty")
        response = client.post(reverse("review:withdraw", args=[site.draft.pk]), {"reason": OPTIONAL_TEXT})
        site.draft.refresh_from_db()
        assert site.draft.state == State.DRAFT
        said = [str(m) for m in messages.get_messages(response.wsgi_request)]
        assert said == ["Reason: Ensure this value has at most 2000 characters (it has 2001)."]
        transaction.set_rollback(True)


def test_an_over_long_reason_rejects_no_record(site):
    with transaction.atomic():
        client = client_for(site, "registrar")
        response = client.post(
            reverse("transcripts:bulk"),
            {"records": [site.record.pk], "action": "reject", "reason": OPTIONAL_TEXT},
        )
        site.record.refresh_from_db()
        assert site.record.state == "pending"
        said = [str(m) for m in messages.get_messages(response.wsgi_request)]
        assert said == ["Reason to reject: Ensure this value has at most 2000 characters (it has 2001)."]
        transaction.set_rollback(True)


def test_a_meeting_at_the_end_of_the_calendar_is_refused_with_a_message():
    form = MeetingForm(data={"date": "9999-12-31T23:59"})
    assert form.errors["date"] == ["Enter a date and time between the years 1 and 9999."]


def test_an_expiry_on_the_last_day_of_the_calendar_is_refused_with_a_message():
    form = ExpiryForm(data={"valid_until": "9999-12-31", "reason": "Extended."})
    assert form.errors["valid_until"] == ["Choose an earlier date."]
