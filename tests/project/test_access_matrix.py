"""Who may reach what: every URL pattern of the project, as every demo role and anonymously, with GET
and with POST, against objects the role owns and objects it must not reach.

The patterns come from the URL resolver, so a new view is covered as soon as it is routed: until its
rule is written in ``RULES`` below, ``test_every_view_has_a_rule`` fails and names it. Each rule says,
per method, who gets through and what everybody else gets (a redirect to the login page, 403 or
404); a refusal must also leave the database exactly as it was.

Left out, on purpose:
- the Django admin (the ``admin`` namespace): Django's own staff-and-permissions machinery;
- django-allauth's views under /learners/ (callbacks from ``allauth.*``): included wholesale from the
  library, which tests its own access rules, and which change with its version. Our own views mounted
  there (the ``learners/login/`` redirect) are covered like any other.
Static and media files are served by WhiteNoise and the web server, not by URL patterns.

The world is Binghamton's demo (``seed_demo``) plus what the demo lacks, made with the services; it is
built once for the module inside a transaction rolled back at the end. Each request runs in a
savepoint rolled back after it, so that an allowed POST (a vote, a withdrawal) never changes what the
next role sees. A POST carries the smallest valid form where an empty one would stop at validation
before the view asks who is asking (a vote without a choice, a decision without the state the
reviewer saw); CSRF checks are off, as the point is authorisation.
"""

import functools
import logging
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

# The module's tests share the world built by the ``world`` fixture; the mark makes pytest-django
# set up the test database, and wrap each test in a savepoint inside the world's transaction.
pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
OK, LOGIN = "ok", "login"
ANYONE, SIGNED_IN = "anyone", "signed-in"  # everybody, with and without the anonymous visitor

# --- the people the rules speak of (Binghamton's demo organisation) --------------------------------

COMMITTEES = {
    f"{body}-{role}" for body in ("gc", "eppc", "fsec", "omc") for role in ("chair", "member1", "member2")
}
GC = {"gc-chair", "gc-member1", "gc-member2"}
UNIT_REVIEWERS = {"unitreviewer", "schoolreviewer"}  # the demo department's committee, and its school's
REGISTRARS = {"registrar", "admin"}
# Every demo proposal is led by "faculty", and its authors asked the office for a consultation on
# each: the office reads even the draft.
DRAFT_READERS = {"faculty", "office", "admin"}
# Once submitted: the authors, the unit reviewers at or above the department, every member of a
# university-wide body, the office's staff, and the administrator.
SUBMITTED_READERS = {"faculty", "office", "admin", *UNIT_REVIEWERS, *COMMITTEES}
CO_AUTHORED_READERS = SUBMITTED_READERS | {"coauthor"}  # MC-DEMO-2 has a co-author
# The co-author's own draft, on which nobody was consulted: its author and the administrator.
OTHER_DRAFT_READERS = {"coauthor", "admin"}


@dataclass(frozen=True)
class Answer:
    """Who gets through (``ok``: usernames, or ANYONE / SIGNED_IN) and what they get (``through``: a
    page, or 405 on an address that does not answer the method); who is refused with 403 although
    they may see the object (``forbidden``); what everyone else signed in gets (``others``); and
    what an anonymous visitor gets."""

    ok: frozenset | str = frozenset()
    others: int = 403
    forbidden: frozenset = frozenset()
    anonymous: str | int = LOGIN
    through: str | int = OK

    def expect(self, role):
        if self.ok == ANYONE or (self.ok == SIGNED_IN and role != ANONYMOUS) or role in self.ok:
            return self.through
        if role == ANONYMOUS:
            return self.anonymous
        return 403 if role in self.forbidden else self.others

    def usernames(self):
        return (set(self.ok) if isinstance(self.ok, frozenset) else set()) | self.forbidden


def only(roles, *, others=403, through=OK):
    return Answer(frozenset(roles), others=others, through=through)


def readers(ok, readers_of_it):
    """``ok`` get through; the proposal's other readers get 403; for everyone else it does not
    exist (404)."""
    return Answer(frozenset(ok), others=404, forbidden=frozenset(set(readers_of_it) - set(ok)))


PUBLIC = Answer(ANYONE)
LOGGED_IN = Answer(SIGNED_IN)
# A GET on a form-only address (login first, then require_POST): 405 for everyone signed in.
FORM_ONLY = Answer(SIGNED_IN, through=405)
# A method the view never answers: 405 for anyone (logout's GET, a POST to Django's "done" pages).
METHOD_NOT_ALLOWED = Answer(ANYONE, through=405)


@dataclass(frozen=True)
class Rule:
    """One URL pattern against one object (``on``): who may GET it and who may POST to it
    (``post=None``: the view answers a POST as it answers a GET), the URL's arguments and the
    POST's form, each a function of the world."""

    get: Answer
    post: Answer | None = None
    on: str = ""
    kwargs: object = None
    data: object = None
    why: str = ""

    def answer(self, method):
        return self.get if method == "GET" or self.post is None else self.post


def form_only(post, **kwargs):
    """A view that only takes a POST (require_POST inside login_required)."""
    return Rule(get=FORM_ONLY, post=post, **kwargs)


def pk(attribute):
    return lambda w: {"pk": getattr(w, attribute).pk}


def code(demo_code, **more):
    return lambda w: {"pk": w.proposals[demo_code].pk, **more}


DRAFT, IN_VOTE, AT_UNIT, RETURNED, APPROVED, PUBLISHED = (
    "MC-DEMO-6",
    "MC-DEMO-2",
    "MC-DEMO-1",
    "MC-DEMO-3",
    "MC-DEMO-4",
    "MC-DEMO-5",
)

RULES = {
    # --- the project's own pages and Django's account pages -------------------------------------------
    "home": [Rule(get=LOGGED_IN)],
    "healthz": [Rule(get=PUBLIC, why="the load balancer's liveness check")],
    "readyz": [Rule(get=PUBLIC, why="the operator's and load balancer's readiness check")],
    "favicon": [Rule(get=PUBLIC, why="a redirect to the SVG icon, for browsers that ask for /favicon.ico")],
    "did_document": [Rule(get=PUBLIC, why="the issuer's did:web DID document, which wallets resolve")],
    "did_document_below_path": [
        Rule(
            get=Answer(ANYONE, through=404),
            why="the DID document's place only when PUBLIC_BASE_URL has a path, which the tests' has not",
        )
    ],
    "login": [Rule(get=PUBLIC, why="a signed-in person is sent home")],
    "logout": [Rule(get=METHOD_NOT_ALLOWED, post=PUBLIC, why="a POST, which sends everyone to log in")],
    "password_reset": [Rule(get=PUBLIC)],
    "password_reset_done": [Rule(get=PUBLIC, post=METHOD_NOT_ALLOWED)],
    "password_reset_confirm": [
        Rule(
            get=PUBLIC,
            kwargs=lambda w: {"uidb64": "MQ", "token": "no-such-token"},
            why="says the link is invalid",
        )
    ],
    "password_reset_complete": [Rule(get=PUBLIC, post=METHOD_NOT_ALLOWED)],
    "password_change": [Rule(get=LOGGED_IN)],
    "password_change_done": [Rule(get=LOGGED_IN, post=FORM_ONLY)],
    "learners/login/": [Rule(get=PUBLIC, why="learners log in on the one login page")],
    # The institution's sign-in (microcred/signin/): the demo configures no identity provider, so
    # there is none to sign in with (tests/project/test_single_sign_on.py signs in through one).
    "openid_connect_login": [
        Rule(
            get=Answer(others=404, anonymous=404),
            kwargs=lambda w: {"provider_id": "university"},
            why="no identity provider is configured",
        )
    ],
    "openid_connect_callback": [
        Rule(
            get=Answer(others=404, anonymous=404),
            kwargs=lambda w: {"provider_id": "university"},
            why="no identity provider is configured",
        )
    ],
    "saml_finish_acs": [
        Rule(
            get=Answer(others=404, anonymous=404),
            kwargs=lambda w: {"organization_slug": "university"},
            why="no identity provider is configured",
        )
    ],
    # --- proposals ------------------------------------------------------------------------------------
    "proposals:mine": [Rule(get=LOGGED_IN, why="each sees their own, or none")],
    "proposals:search": [Rule(get=LOGGED_IN, why="finds only what the person may read")],
    "proposals:create": [Rule(get=only({"faculty", "coauthor"}), why="faculty start proposals")],
    "proposals:detail": [
        Rule(get=only(DRAFT_READERS, others=404), on="draft", kwargs=code(DRAFT)),
        Rule(get=only(OTHER_DRAFT_READERS, others=404), on="other-draft", kwargs=pk("other_draft")),
        Rule(get=only(CO_AUTHORED_READERS, others=404), on="in-vote", kwargs=code(IN_VOTE)),
    ],
    "proposals:edit": [
        Rule(get=readers({"faculty"}, DRAFT_READERS), on="draft", kwargs=code(DRAFT, section="basics")),
        Rule(
            get=readers({"coauthor"}, OTHER_DRAFT_READERS),
            on="other-draft",
            kwargs=lambda w: {"pk": w.other_draft.pk, "section": "basics"},
        ),
        Rule(
            get=readers({"faculty"}, SUBMITTED_READERS),
            on="returned",
            kwargs=code(RETURNED, section="basics"),
        ),
        Rule(
            get=readers((), CO_AUTHORED_READERS),
            on="in-vote",
            kwargs=code(IN_VOTE, section="basics"),
            why="nobody edits a proposal under review, its authors included",
        ),
    ],
    "proposals:versions": [Rule(get=only(CO_AUTHORED_READERS, others=404), kwargs=code(IN_VOTE))],
    "proposals:version": [Rule(get=only(CO_AUTHORED_READERS, others=404), kwargs=code(IN_VOTE, number=1))],
    "proposals:duplicate": [
        form_only(
            readers({"faculty", "coauthor"}, CO_AUTHORED_READERS),
            on="in-vote",
            kwargs=code(IN_VOTE),
            why="faculty who read a proposal may copy it; other readers may not start proposals",
        ),
        form_only(readers({"faculty"}, SUBMITTED_READERS), on="published", kwargs=code(PUBLISHED)),
    ],
    "proposals:duplicate_version": [
        form_only(
            readers({"faculty", "coauthor"}, CO_AUTHORED_READERS),
            on="in-vote",
            kwargs=code(IN_VOTE, number=1),
        )
    ],
    "proposals:revise": [
        Rule(
            get=readers({"faculty", "office"}, SUBMITTED_READERS),
            post=readers({"faculty", "office"}, SUBMITTED_READERS),
            on="published",
            kwargs=code(PUBLISHED),
            data=lambda w: {"effective_from": timezone.localdate().isoformat()},
            why="its authors and the office revise a published micro-credential; its other readers may not",
        )
    ],
    "proposals:upload": [form_only(readers({"faculty"}, DRAFT_READERS), on="draft", kwargs=code(DRAFT))],
    "proposals:download": [
        Rule(
            get=only(DRAFT_READERS, others=404),
            on="draft",
            kwargs=lambda w: {"pk": w.proposals[DRAFT].pk, "attachment_id": w.attachment.pk},
        )
    ],
    "proposals:delete_attachment": [
        form_only(
            readers({"faculty"}, DRAFT_READERS),
            on="draft",
            kwargs=lambda w: {"pk": w.proposals[DRAFT].pk, "attachment_id": w.attachment.pk},
            why="the office reads the draft's attachments but may not remove them",
        )
    ],
    "proposals:comment": [
        form_only(
            only(DRAFT_READERS, others=404),
            on="draft",
            kwargs=code(DRAFT),
            data=lambda w: {"body": "A comment."},
            why="whoever reads a proposal may comment on it",
        ),
        form_only(
            only(OTHER_DRAFT_READERS, others=404),
            on="other-draft",
            kwargs=pk("other_draft"),
            data=lambda w: {"body": "A comment."},
        ),
    ],
    "proposals:consult": [
        form_only(readers({"faculty"}, DRAFT_READERS), on="draft", kwargs=code(DRAFT)),
        form_only(readers({"coauthor"}, OTHER_DRAFT_READERS), on="other-draft", kwargs=pk("other_draft")),
    ],
    # --- review ----------------------------------------------------------------------------------------
    "review:queue": [Rule(get=LOGGED_IN, why="each sees what waits for them, or nothing")],
    "review:email_settings": [
        Rule(get=LOGGED_IN, data=lambda w: {"delivery": "daily"}, why="each chooses their own, nobody else's")
    ],
    "review:dashboard": [Rule(get=only({"office", "admin"}))],
    "review:dashboard_csv": [
        Rule(get=only({"office", "admin"}, through=404), why="a chart's CSV; without ?chart= none is found")
    ],
    "review:meetings": [Rule(get=LOGGED_IN, why="each sees the meetings of their own bodies")],
    "review:meeting_create": [
        form_only(only({"gc-chair"}, others=404), on="gc", kwargs=lambda w: {"body_id": w.gc.pk})
    ],
    "review:meeting": [
        Rule(get=only({*GC, "admin"}), on="gc", kwargs=pk("meeting"), why="the body's members see it")
    ],
    "review:agenda": [
        form_only(
            only({"gc-chair"}),
            on="gc",
            kwargs=pk("meeting"),
            data=lambda w: {"action": "add", "proposal": w.proposals[IN_VOTE].pk},
            why="its members see the meeting; only its chair builds the agenda",
        )
    ],
    "review:submit": [
        form_only(readers({"faculty"}, DRAFT_READERS), on="draft", kwargs=code(DRAFT)),
        form_only(
            readers({"coauthor"}, OTHER_DRAFT_READERS),
            on="other-draft",
            kwargs=pk("other_draft"),
            why="an incomplete draft: its author is sent to what is missing",
        ),
        form_only(readers({"faculty"}, SUBMITTED_READERS), on="returned", kwargs=code(RETURNED)),
    ],
    "review:decide": [
        form_only(
            readers(UNIT_REVIEWERS, SUBMITTED_READERS),
            on="unit-review",
            kwargs=code(AT_UNIT),
            data=lambda w: {"decision": "approve", "expected_state": w.proposals[AT_UNIT].state},
        )
    ],
    "review:vote": [
        form_only(
            readers(GC, CO_AUTHORED_READERS),
            on="in-vote",
            kwargs=code(IN_VOTE),
            data=lambda w: {"choice": "approve"},
        )
    ],
    "review:close_vote": [
        form_only(
            readers({"gc-chair"}, CO_AUTHORED_READERS),
            on="in-vote",
            kwargs=code(IN_VOTE),
            data=lambda w: {"ballot": w.ballot.pk},
        )
    ],
    "review:remind_voters": [
        form_only(
            readers({"gc-chair"}, CO_AUTHORED_READERS),
            on="in-vote",
            kwargs=code(IN_VOTE),
            data=lambda w: {"ballot": w.ballot.pk},
            why="the chair or staff of the voting body, never an author",
        )
    ],
    "review:withdraw": [
        form_only(
            readers({"faculty"}, CO_AUTHORED_READERS),
            on="in-vote",
            kwargs=code(IN_VOTE),
            why="the lead author withdraws; a co-author may not end a colleague's work",
        )
    ],
    "review:publish": [
        form_only(readers({"office"}, SUBMITTED_READERS), on="approved", kwargs=code(APPROVED))
    ],
    "review:retire": [
        form_only(readers({"office"}, SUBMITTED_READERS), on="published", kwargs=code(PUBLISHED))
    ],
    "review:fee_signoff": [
        form_only(
            readers({"office"}, CO_AUTHORED_READERS),
            on="in-vote",
            kwargs=code(IN_VOTE),
            why="who may is asked first: the office is then told no fee review is due here",
        )
    ],
    "review:move_to_profile": [
        form_only(
            readers({"office"}, CO_AUTHORED_READERS),
            on="in-vote",
            kwargs=code(IN_VOTE),
            data=lambda w: {"comment": "The Senate asked that it follow the active policy."},
            why="the active office's staff; this one is under the active profile, so nothing is changed",
        )
    ],
    "review:note": [
        form_only(
            readers(GC, CO_AUTHORED_READERS),
            on="in-vote",
            kwargs=code(IN_VOTE),
            data=lambda w: {"text": "An internal note."},
            why="internal notes are for the reviewing body, never its authors",
        )
    ],
    "review:complete_consultation": [
        form_only(
            readers({"office"}, DRAFT_READERS),
            on="draft",
            kwargs=code(DRAFT),
            data=lambda w: {"rigor": "Upper-division rigor."},
        ),
        form_only(
            readers((), OTHER_DRAFT_READERS),
            on="other-draft",
            kwargs=pk("other_draft"),
            data=lambda w: {"rigor": "Upper-division rigor."},
            why="nobody asked the office: it does not see the draft",
        ),
    ],
    # --- badges: what a verifier fetches, and the award's public page ----------------------------------
    "badges:issuer": [Rule(get=PUBLIC)],
    "badges:key": [Rule(get=PUBLIC, kwargs=lambda w: {"name": w.key.name})],
    "badges:achievement": [Rule(get=PUBLIC, kwargs=lambda w: {"uuid": w.achievement.uuid})],
    "badges:achievement_image": [Rule(get=PUBLIC, kwargs=lambda w: {"uuid": w.achievement.uuid})],
    "badges:status_list": [Rule(get=PUBLIC, kwargs=lambda w: {"purpose": w.status_list.purpose})],
    "badges:status_list_did": [Rule(get=PUBLIC, kwargs=lambda w: {"purpose": w.status_list.purpose})],
    "badges:verify": [Rule(get=PUBLIC, why="anyone checks a credential; nothing uploaded is kept")],
    "badges:verify_api": [
        Rule(
            get=METHOD_NOT_ALLOWED,
            post=Answer(ANYONE, through=400),
            why="anyone's system checks a credential; an empty body holds none (400)",
        )
    ],
    "badges:award": [Rule(get=PUBLIC, kwargs=lambda w: {"public_id": w.award.public_id})],
    "badges:award_json": [Rule(get=PUBLIC, kwargs=lambda w: {"public_id": w.award.public_id})],
    "badges:award_png": [Rule(get=PUBLIC, kwargs=lambda w: {"public_id": w.award.public_id})],
    "badges:award_svg": [Rule(get=PUBLIC, kwargs=lambda w: {"public_id": w.award.public_id})],
    # --- badges: acting on an award (its page is public, so refusals are 403) --------------------------
    "badges:revoke": [
        form_only(
            only({"office"}),
            on="learners",
            kwargs=lambda w: {"public_id": w.award.public_id},
            data=lambda w: {"reason": "Awarded in error."},
        )
    ],
    "badges:sharing": [
        form_only(only({"learner"}), on="learners", kwargs=lambda w: {"public_id": w.award.public_id}),
        form_only(only(()), on="another-learners", kwargs=lambda w: {"public_id": w.other_award.public_id}),
    ],
    "badges:credly_retry": [
        form_only(only({"office"}), on="learners", kwargs=lambda w: {"public_id": w.award.public_id})
    ],
    # --- badges: learning -----------------------------------------------------------------------------
    "badges:my_awards": [Rule(get=LOGGED_IN, why="each sees their own, or none")],
    "badges:names": [Rule(get=LOGGED_IN, why="each edits their own names")],
    "badges:reissue_names": [form_only(LOGGED_IN, why="each asks for their own credentials again")],
    "badges:catalog": [Rule(get=PUBLIC)],
    "badges:catalog_detail": [Rule(get=PUBLIC, kwargs=lambda w: {"uuid": w.achievement.uuid})],
    "badges:join": [
        form_only(
            only({"learner"}),
            kwargs=lambda w: {"uuid": w.achievement.uuid},
            why="only learners join (the demo learner is back at their enrolment)",
        )
    ],
    "badges:enrolment": [
        Rule(get=only({"learner"}, others=404), on="learners", kwargs=pk("enrolment")),
        Rule(get=only((), others=404), on="another-learners", kwargs=pk("other_enrolment")),
    ],
    "badges:submit_evidence": [
        form_only(
            only({"learner"}, others=404),
            on="learners",
            kwargs=lambda w: {"pk": w.enrolment.pk, "part": w.evidence.part},
        ),
        form_only(
            only((), others=404),
            on="another-learners",
            kwargs=lambda w: {"pk": w.other_enrolment.pk, "part": w.other_evidence.part},
        ),
    ],
    "badges:evaluation_queue": [Rule(get=LOGGED_IN, why="each sees the evidence waiting for them, or none")],
    "badges:review": [
        Rule(
            get=only({"evaluator", "learner"}, others=404),
            on="learners",
            kwargs=pk("evidence"),
            why="the department's evaluator reviews it; its learner is sent to their enrolment",
        ),
        Rule(get=only({"evaluator"}, others=404), on="another-learners", kwargs=pk("other_evidence")),
    ],
    "badges:evidence_file": [
        Rule(get=only({"evaluator"}, others=404), on="another-learners", kwargs=pk("other_evidence"))
    ],
    # --- badges: awarding -----------------------------------------------------------------------------
    "badges:awarding": [
        Rule(get=only({"evaluator", "office"}), why="the unit's evaluator awards; the office manages awards")
    ],
    "badges:bulk_template": [Rule(get=PUBLIC, why="a blank spreadsheet with an example row: no data")],
    "badges:bulk": [Rule(get=only({"evaluator"}, others=404), on="evaluators", kwargs=pk("bulk"))],
    "badges:bulk_confirm": [form_only(only({"evaluator"}, others=404), on="evaluators", kwargs=pk("bulk"))],
    "badges:bulk_cancel": [form_only(only({"evaluator"}, others=404), on="evaluators", kwargs=pk("bulk"))],
    "badges:bulk_file": [Rule(get=only({"evaluator"}, others=404), on="evaluators", kwargs=pk("bulk"))],
    "badges:expiry": [Rule(get=only({"office"}), kwargs=lambda w: {"uuid": w.achievement.uuid})],
    "badges:holders": [
        Rule(
            get=only({"office", "evaluator"}),
            kwargs=lambda w: {"uuid": w.achievement.uuid},
            why="the awarding office and the unit's evaluators find holders; only the office revokes",
        )
    ],
    "badges:expiry_status": [Rule(get=only({"office"}), kwargs=pk("expiry_change"))],
    # --- the registrar (the gate comes before the method check: others get 403, not 405) --------------
    "transcripts:queue": [Rule(get=only(REGISTRARS))],
    "transcripts:bulk": [
        Rule(
            get=only(REGISTRARS, through=405),
            post=only(REGISTRARS),
            data=lambda w: {"action": "verify", "records": [w.record.pk]},
        )
    ],
    "transcripts:record": [Rule(get=only(REGISTRARS), kwargs=pk("record"))],
    "transcripts:terms": [Rule(get=only(REGISTRARS))],
    "transcripts:term": [Rule(get=only(REGISTRARS), kwargs=pk("term"))],
    "transcripts:batches": [Rule(get=only(REGISTRARS))],
    "transcripts:batch_create": [
        Rule(get=only(REGISTRARS, through=405), post=only(REGISTRARS), data=lambda w: {"term": w.term.pk})
    ],
    "transcripts:batch": [Rule(get=only(REGISTRARS), kwargs=pk("batch"))],
    "transcripts:batch_file": [
        Rule(get=only(REGISTRARS), kwargs=lambda w: {"pk": w.batch.pk, "kind": "csv"})
    ],
}


# --- the patterns, from the resolver ---------------------------------------------------------------


def url_patterns(resolver=None, prefix="", namespace="", in_library=False):
    """(key, route) of every URL pattern we answer for: its namespaced name, or its route where it
    has none."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = ":".join(filter(None, (namespace, entry.namespace)))
            library = in_library or getattr(entry.urlconf_module, "__name__", "").startswith("allauth.")
            yield from url_patterns(entry, prefix + str(entry.pattern), inner, library)
        elif isinstance(entry, URLPattern):
            module = getattr(entry.callback, "__module__", "")
            # allauth's views, and the redirects its urls make from its old addresses with Django's view.
            if module.startswith("allauth.") or (in_library and module.startswith("django.")):
                continue
            route = prefix + str(entry.pattern)
            name = ":".join(filter(None, (namespace, entry.name))) if entry.name else ""
            yield name or route, route


PATTERNS = dict(url_patterns())
CASES = [
    pytest.param(key, rule, method, id=f"{key}{f'[{rule.on}]' if rule.on else ''}-{method}")
    for key, rules in RULES.items()
    if key in PATTERNS
    for rule in rules
    for method in ("GET", "POST")
]


def test_every_view_has_a_rule():
    unlisted = sorted(set(PATTERNS) - set(RULES))
    assert not unlisted, "unlisted view: state its rule in RULES: " + ", ".join(unlisted)


def test_every_rule_names_a_view():
    stale = sorted(set(RULES) - set(PATTERNS))
    assert not stale, "RULES names URL patterns that no longer exist: " + ", ".join(stale)


def test_every_person_named_in_the_rules_is_a_demo_login(world):
    named = {
        username
        for rules in RULES.values()
        for rule in rules
        for answer in (rule.get, rule.post)
        if answer is not None
        for username in answer.usernames()
    }
    assert named - set(world.roles) == set()


# --- the world -------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class World:
    """The demo organisation with its proposals, awards and registrar queue, plus what the demo
    lacks, each made through the services: an attachment, another author's draft, a meeting, another
    learner's enrolment and pending evidence with a file, a class upload and an expiry change. Every
    demo login has a session, made once."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        from badges.awarding import bulk, expiry
        from badges.learning import services as learning
        from badges.models import Achievement, Award, Enrolment, IssuerKey, StatusList
        from microcred.demo import seed_demo
        from proposals import services as proposal_services
        from proposals.choices import Form, Kind, Level
        from proposals.models import Proposal
        from review import services as review_services
        from review.models import Ballot, ReviewBody
        from transcripts.models import Batch, Term, TranscriptRecord

        logins = seed_demo(with_proposals=True)
        self.users = get_user_model().objects.in_bulk([x.username for x in logins], field_name="username")
        self.roles = [ANONYMOUS, *sorted(self.users)]
        self.proposals = {p.code: p for p in Proposal.objects.filter(code__startswith="MC-DEMO-")}
        faculty, learner = self.users["faculty"], self.users["learner"]

        # Proposals: an attachment on the faculty's draft, and the co-author's own draft.
        self.attachment = proposal_services.add_attachment(
            proposal=self.proposals[DRAFT],
            user=faculty,
            uploaded=SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
        )
        self.other_draft = proposal_services.create_proposal(
            author=self.users["coauthor"],
            title="Grant Writing Basics",
            unit=self.proposals[DRAFT].unit,
            kind=Kind.NON_CREDIT,
            form=Form.DIGITAL_BADGE,
            level=Level.PROFESSIONAL,
        )
        # Review: a Graduate Council meeting, and the open vote on MC-DEMO-2.
        self.gc = ReviewBody.objects.get(slug="gc")
        self.meeting = review_services.create_meeting(
            body=self.gc, user=self.users["gc-chair"], date=timezone.now() + timedelta(days=7)
        )
        self.ballot = Ballot.objects.get(proposal=self.proposals[IN_VOTE], closed_at__isnull=True)

        # Badges: the learner's award, enrolment and (accepted) evidence of MC-DEMO-5; a student of the
        # registrar's demo who holds MC-DEMO-7 joins MC-DEMO-5 too and hands in a file.
        self.key = IssuerKey.objects.filter(retired_at__isnull=True).first()
        self.status_list = StatusList.objects.exclude(credential_json="").first()
        self.achievement = Achievement.objects.filter(proposal=self.proposals["MC-DEMO-7"]).first()
        self.award = Award.objects.get(learner=learner, achievement__proposal=self.proposals[PUBLISHED])
        self.enrolment = Enrolment.objects.get(
            learner=learner, achievement__proposal=self.proposals[PUBLISHED]
        )
        self.evidence = self.enrolment.evidence.first()
        self.other_award = Award.objects.get(achievement=self.achievement, learner__username="student-ana")
        student = self.other_award.learner
        self.other_enrolment = learning.join(user=student, achievement=self.enrolment.achievement)
        self.other_evidence = learning.submit_evidence(
            enrolment=self.other_enrolment,
            user=student,
            part=self.evidence.part,
            uploaded=SimpleUploadedFile("portfolio.pdf", PDF, content_type="application/pdf"),
        )
        # Awarding: the evaluator's class upload, the office's change of expiry.
        self.bulk = bulk.upload(
            user=self.users["evaluator"],
            achievement=self.achievement,
            uploaded=SimpleUploadedFile(
                "class.csv",
                b"email,given name,family name,student ID,narrative,reflection\n"
                b"new.learner@example.edu,New,Learner,B0042,Capstone graded A,What I learnt\n",
            ),
        )
        self.expiry_change = expiry.change(
            achievement=self.achievement,
            user=self.users["office"],
            valid_until=timezone.now() + timedelta(days=365),
            reason="The programme is reviewed yearly.",
        )
        # The registrar's demo queue.
        self.term = Term.objects.order_by("code").first()
        self.batch = Batch.objects.first()
        self.record = TranscriptRecord.objects.filter(state=TranscriptRecord.State.PENDING).first()

        # One client per role and a session made once; a request may end the session (logging
        # out), so each request starts again from the stored cookie.
        self.clients, self.sessions = {ANONYMOUS: Client()}, {}
        for username, user in self.users.items():
            self.clients[username] = client = Client()
            client.force_login(user)
            self.sessions[username] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def request(self, role, method, url, data, *, watch):
        """The response, and (``watch``) whether the database changed; in a savepoint rolled back after."""
        client = self.clients[role]
        client.cookies = SimpleCookie()
        if role != ANONYMOUS:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        with transaction.atomic():
            before = fingerprint() if watch else None
            # Each person from an address of their own, as in life: the per-address limits (the verify
            # page's, say) count each apart.
            address = f"192.0.2.{sorted(self.clients).index(role) + 1}"
            if method == "GET":
                response = client.get(url, REMOTE_ADDR=address)
            else:
                response = client.post(url, data, REMOTE_ADDR=address)
            changed = watch and fingerprint() != before
            transaction.set_rollback(True)
        return response, changed


@functools.cache
def _fingerprint_sql():
    """One query: the number of rows, the highest id and the latest ``updated_at`` of every table
    (sessions excepted), and where the database counts them, the rows changed in this transaction
    (an update that leaves every count as it was)."""
    quote = connection.ops.quote_name
    parts = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.db_table == "django_session" or not meta.managed:
            continue
        updated = next((f.column for f in meta.fields if f.name == "updated_at"), None)
        # Every column as text, so that one UNION takes the tables' different key and time types.
        latest = f"CAST(MAX({quote(updated)}) AS TEXT)" if updated else "CAST(NULL AS TEXT)"
        parts.append(
            # Names from the models' own metadata, quoted: nothing here comes from outside.
            f"SELECT '{meta.label}', COUNT(*), CAST(MAX({quote(meta.pk.column)}) AS TEXT), {latest} "  # noqa: S608
            f"FROM {quote(meta.db_table)}"
        )
    changes = {
        "sqlite": "SELECT 'changes', total_changes(), CAST(NULL AS TEXT), CAST(NULL AS TEXT)",
        "postgresql": "SELECT 'changes', CAST(COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) AS BIGINT), "
        "CAST(NULL AS TEXT), CAST(NULL AS TEXT) FROM pg_stat_xact_user_tables WHERE relname <> 'django_session'",
    }
    if connection.vendor in changes:
        parts.append(changes[connection.vendor])
    return " UNION ALL ".join(parts)


def fingerprint():
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return cursor.fetchall()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from microcred.celery import app

    folder = tmp_path_factory.mktemp("access-matrix")
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    # Every refusal would log a warning: thousands of lines nobody reads. Server errors still log.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    from core.middleware import SessionLifetimeMiddleware

    # The sessions are made once for the whole module, whose run may outlast the few minutes after
    # which a request refreshes its session's last activity: a write to the session table that
    # SQLite's change count would see (PostgreSQL's sum leaves that table out).
    refresh, SessionLifetimeMiddleware.REFRESH_SECONDS = SessionLifetimeMiddleware.REFRESH_SECONDS, 10**9
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=folder / "media",
            ISSUER_KEY_DIR=folder / "issuer-keys",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield World()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            app.conf.task_always_eager = eager
            request_log.setLevel(level)
            SessionLifetimeMiddleware.REFRESH_SECONDS = refresh


@pytest.fixture(autouse=True)
def _private_media():
    """Overrides the conftest's: a media folder per test would lose the files the world stored.
    The module's own folder (set in ``world``) serves instead."""


def test_the_fingerprint_sees_a_change_that_keeps_every_count(world):
    from proposals.models import Proposal

    before = fingerprint()
    assert fingerprint() == before
    Proposal.objects.filter(pk=world.other_draft.pk).update(title="Changed behind the counts")
    assert fingerprint() != before


# --- the matrix ------------------------------------------------------------------------------------

LOGIN_PATH = urlsplit(resolve_url(settings.LOGIN_URL)).path


def _url(key, rule, world):
    route = PATTERNS[key]
    if key != route:
        return reverse(key, kwargs=rule.kwargs(world) if rule.kwargs else {})
    if "<" in route or "(?" in route:
        pytest.fail(f"{route}: give the pattern a name, so that this test can reverse it")
    return "/" + route


def _what(response):
    """What a response amounts to: LOGIN (sent to log in, with the way back), a status code, or a
    redirect somewhere else."""
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"])
        if target.path == LOGIN_PATH and "next=" in target.query:
            return LOGIN
        return f"{response.status_code} to {response['Location']}"
    return response.status_code


def _problem(expected, got):
    if expected == OK:
        refused = got == LOGIN or (isinstance(got, int) and (got in (401, 403, 404, 405) or got >= 500))
        return f"expected to get through, got {got}" if refused else None
    return None if got == expected else f"expected {expected}, got {got}"


@pytest.mark.parametrize(("key", "rule", "method"), CASES)
def test_access(world, key, rule, method):
    url = _url(key, rule, world)
    data = rule.data(world) if rule.data and method == "POST" else {}
    answer = rule.answer(method)
    failures = []
    for role in world.roles:
        expected = answer.expect(role)
        try:
            response, changed = world.request(role, method, url, data, watch=expected != OK)
        except Exception as error:  # the view raised: a server error
            failures.append(f"{role}: expected {expected}, raised {error!r}")
            continue
        got = _what(response)
        problem = _problem(expected, got)
        if problem:
            failures.append(f"{role}: {problem}")
        elif expected != OK and changed:
            failures.append(f"{role}: refused with {got}, but the database changed")
    target = f", {rule.on}" if rule.on else ""
    reason = f" (the rule: {rule.why})" if rule.why else ""
    assert not failures, f"{method} {url} ({key}{target}){reason}:\n" + "\n".join(failures)
