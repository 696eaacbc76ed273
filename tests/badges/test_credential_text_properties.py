"""Whatever a person types into a field that reaches a credential (control characters, line and
paragraph separators, combining marks, right-to-left text, emoji, quotes, backslashes, a byte-order
mark, 3,000 characters), the credential carries it as typed and verifies: with our own check (the
JSON and both baked images) and with the independent verifier, run once over the whole batch."""

import itertools
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges.issuing import images, services
from badges.verification.checks import Status, verify_upload
from proposals.models import Competency, CompetencyFramework, Proposal, Unit
from tests.badges import test_issuing
from tests.badges.test_issuing import independent_verifier
from tests.factories import complete_proposal

achievement, issuer_key = test_issuing.achievement, test_issuing.issuer_key

pytestmark = pytest.mark.django_db

# Characters people paste, and the ones that have broken canonical forms, XML or JSON before. NUL is
# left out: Django's forms refuse it and PostgreSQL cannot store it. Lone surrogates are not text.
PASTED = (
    [chr(c) for c in range(1, 0x20)]
    + ["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\u00a0"]
    + ["\u0301", "e\u0301", "\u0308\u0323", "\u200b", "\u200d"]  # combining marks, zero-width
    + ["\u200f", "\u202e", "\u2066", "שלום", "مرحبا"]  # RTL marks, overrides, isolates and text
    + ["😀", "👩\u200d💻", "🇺🇸", "\U0001d400", "\U0010fffd"]  # emoji, ZWJ, flags, astral
    + ['"', "'", "“", "”", "\\", "\\n", "\\u000B", "]]>", "<", ">", "&", "&amp;", "{", "}"]
)
pasted = st.sampled_from(PASTED)
anything = st.characters(codec="utf-8", exclude_characters="\x00")
piece = st.one_of(pasted, st.text(anything, min_size=1, max_size=8))
short = st.lists(piece, min_size=1, max_size=12).map("".join)
# A 3,000-character text: a pasted fragment repeated.
long = st.lists(piece, min_size=1, max_size=6).map("".join).map(lambda s: (s * (3000 // len(s) + 1))[:3000])
text = st.one_of(short, short, long)


def at_most(field):
    return lambda value: value[: field.max_length]


def has_text(value):
    return bool(value.strip())


# URLValidator takes any non-space character in a path; an evidence link may hold these.
URL_CHARACTERS = [*"|^{}`<>\"\\'[]!$&()*+,;=:@~%", "é", "ü", "😀", "שׁ", "\u0301", "\ufeff"]
evidence_url = st.lists(
    st.one_of(st.sampled_from(URL_CHARACTERS), st.text("abcXYZ019-._", min_size=1, max_size=3)),
    max_size=20,
).map(lambda parts: "https://portfolio.example.org/" + "".join(parts))


def valid_url(value):
    try:
        URLValidator()(value)
    except ValidationError:
        return False
    return True


title_field = Proposal._meta.get_field("title")
fields = st.fixed_dictionaries(
    {
        "title": text.map(at_most(title_field)).filter(has_text),
        "code": text.map(at_most(Proposal._meta.get_field("code"))),
        "summary": text,
        "purpose": text,
        "evidence_submission": text,
        "evidence_criteria": text,
        "reflective_experience": text,
        "unit": text.map(at_most(Unit._meta.get_field("name"))).filter(has_text),
        "competency": text.map(at_most(Competency._meta.get_field("name"))).filter(has_text),
        "definition": text,
        "narrative": text,
        "evidence_url": st.one_of(st.just(""), evidence_url.filter(valid_url)),
    }
)

EXAMPLES = 40


@pytest.fixture
def framework(db):
    return CompetencyFramework.objects.create(slug="typed", name="Typed competencies")


def issue_with(demo, framework, number, typed):
    """An achievement built from a proposal holding ``typed`` and an award of it with evidence."""
    unit = Unit.objects.create(name=typed["unit"], code=f"typed-{number}", kind=Unit.Kind.DEPARTMENT)
    proposal = complete_proposal(
        author=demo["faculty"],
        unit=unit,
        **{k: typed[k] for k in ("title", "code", "summary", "purpose", "evidence_submission")},
        **{k: typed[k] for k in ("evidence_criteria", "reflective_experience")},
    )
    competency = Competency.objects.create(
        framework=framework,
        slug=f"typed-{number}",
        name=typed["competency"],
        definition=typed["definition"],
        url="https://competencies.example.org/typed",
    )
    proposal.competencies.add(competency)
    made = services.create_achievement(proposal_id=proposal.pk)
    award = services.award(
        learner=demo["learner"],
        achievement=made,
        awarded_by=demo["evaluator"],
        narrative=typed["narrative"],
        evidence_url=typed["evidence_url"],
        evidence_public=True,
    )
    return services.issue_credential(award_id=award.pk)


def carries_what_was_typed(credential, typed):
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == typed["title"]
    assert achievement["fieldOfStudy"] == typed["unit"]
    assert achievement.get("humanCode", "") == typed["code"]
    assert achievement["description"] == (typed["summary"] or typed["purpose"] or typed["title"])
    for part in ("evidence_submission", "evidence_criteria", "reflective_experience"):
        if typed[part].strip():
            assert typed[part].strip() in achievement["criteria"]["narrative"]
    assert typed["competency"] in [a["targetName"] for a in achievement["alignment"]]
    evidence = credential.get("evidence", [{}])[0]
    assert evidence.get("narrative", "") == typed["narrative"]
    assert evidence.get("id", "") == typed["evidence_url"]


def svg_root(svg):
    """The parsed SVG; raises when it is not well-formed XML."""
    return ET.fromstring(svg)  # noqa: S314 (the product's own drawing, parsed to prove it well-formed)


def our_check_accepts(award):
    """Our verify page's check on the credential, the baked PNG and the baked SVG (which must also
    be well-formed XML, or no browser shows the badge)."""
    credential = award.credential
    svg_root(credential.svg)
    svg_root(award.achievement.image_svg)
    for name, data in (
        ("credential.json", credential.json.encode()),
        ("badge.png", bytes(credential.png)),
        ("badge.svg", credential.svg.encode()),
    ):
        result = verify_upload(data, filename=name)
        assert result.verified and result.status == Status.VALID, (name, result.problem, result.reasons)


def test_every_typed_text_gives_a_credential_every_verifier_accepts(demo, issuer_key, framework, tmp_path):
    issued, numbers = [], itertools.count()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(typed=fields)
    def issue_and_check(typed):
        with transaction.atomic():  # a failing example leaves nothing behind for the next one
            award = issue_with(demo, framework, next(numbers), typed)
            carries_what_was_typed(json.loads(award.credential.json), typed)
            our_check_accepts(award)
        issued.append((award, typed))

    issue_and_check()

    call_command("export_credentials", str(tmp_path / "export"))
    files = [tmp_path / "export" / f"{award.public_id}.json" for award, _typed in issued]
    verdicts = independent_verifier(tmp_path / "export", files)
    rejected = {
        name: (verdict["error"], {field: ascii(value)[:60] for field, value in typed.items()})
        for (award, typed) in issued
        if not (verdict := verdicts[name := f"{award.public_id}.json"])["verified"]
    }
    assert len(verdicts) == len(issued) >= EXAMPLES // 2
    assert rejected == {}


def test_the_badge_image_of_a_title_with_quotes_and_controls_is_well_formed_svg():
    title = 'The "Data\x0b Story" & <more>\ufffe'

    drawing = images.render_svg(name=title, institution="Binghamton University", achievement_type="Badge")
    baked = images.bake_svg(drawing, json.dumps({"name": title}, ensure_ascii=False))

    root = svg_root(baked)
    assert root.get("aria-label") == 'The "Data Story" & <more>'
    assert json.loads(images.unbake_svg(baked)) == {"name": title}


# --- the forms where people paste such text ---------------------------------------------------------

TYPED = 'Page one\x0bpage two\x0c\u2028«ציטוט» \u202eRTL\u202c e\u0301 👩\u200d💻 \\ "quoted" \ufeff\x7f end'


def test_evidence_pasted_by_a_learner_reaches_the_credential_as_typed(
    client, demo, achievement, django_capture_on_commit_callbacks, tmp_path
):
    from badges.learning import selectors as learning_selectors
    from badges.models import Award, Enrolment, Evidence, Learner

    Learner.objects.create(user=demo["learner"], student_id="B00012345")
    client.force_login(demo["learner"])
    client.post(reverse("badges:join", args=[achievement.uuid]), {"evidence_public": "on"})
    enrolment = Enrolment.objects.get(learner=demo["learner"], achievement=achievement)
    part = learning_selectors.required_parts(achievement)[0][0]
    prefix = part.replace(":", "-")
    sent = client.post(
        reverse("badges:submit_evidence", args=[enrolment.pk, part]),
        {f"{prefix}-text": TYPED, f"{prefix}-link": "https://portfolio.example.org/work?tags=a|b^c{d}"},
    )
    assert sent.status_code == 302
    evidence = Evidence.objects.get(enrolment=enrolment)
    assert evidence.text == TYPED
    assert client.get(reverse("badges:enrolment", args=[enrolment.pk])).status_code == 200
    client.force_login(demo["evaluator"])
    assert TYPED[:8] in client.get(reverse("badges:review", args=[evidence.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("badges:review", args=[evidence.pk]), {"decision": "accept"})

    award = Award.objects.get(learner=demo["learner"], achievement=achievement)
    credential = json.loads(award.credential.json)
    assert credential["evidence"][0]["narrative"] == f"{evidence.part_title}: {TYPED}"
    our_check_accepts(award)
    assert client.get(award.get_absolute_url()).status_code == 200
    call_command("export_credentials", str(tmp_path / "export"))
    verdicts = independent_verifier(tmp_path / "export", [tmp_path / "export" / f"{award.public_id}.json"])
    assert [v["verified"] for v in verdicts.values()] == [True], verdicts


def test_a_title_and_summary_pasted_by_a_proposer_are_kept_as_typed(client, demo):
    proposal = complete_proposal(author=demo["faculty"], unit=demo["faculty"].unit_roles.first().unit)
    client.force_login(demo["faculty"])
    title = 'The "Data\x0b Story" \u2028 شرح 😀'

    response = client.post(
        reverse("proposals:edit", args=[proposal.pk, "basics"]),
        {
            "basics-title": title,
            "basics-code": "MC-\x7f1",
            "basics-kind": proposal.kind,
            "basics-form": proposal.form,
            "basics-level": proposal.level,
            "basics-unit": proposal.unit_id,
            "basics-summary": TYPED,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    proposal.refresh_from_db()
    assert (proposal.title, proposal.code, proposal.summary) == (title, "MC-\x7f1", TYPED)
    assert client.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 200


def test_a_longest_title_with_a_line_break_is_issued_and_the_learner_emailed(
    demo, issuer_key, django_capture_on_commit_callbacks, mailoutbox
):
    from tests.workflow import publish_achievement

    title = ("Data\nStory\x0b " * 20)[: title_field.max_length]
    made = publish_achievement(demo, django_capture_on_commit_callbacks, title=title)
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award(learner=demo["learner"], achievement=made, awarded_by=demo["evaluator"])

    award.refresh_from_db()
    assert json.loads(award.credential.json)["name"] == title
    earned = [m for m in mailoutbox if m.to == [demo["learner"].email] and "earned" in m.subject]
    assert len(earned) == 1
    assert len(earned[0].subject) <= 200 and "\n" not in earned[0].subject
    assert earned[0].subject.startswith("You have earned “Data Story Data Story")
