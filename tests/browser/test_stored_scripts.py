"""Stored scripts: payloads saved in every kind of text people write (proposal fields, comments,
names, evidence, award narratives, a spreadsheet's rows, a search) are rendered in Chromium on
every page that shows them, and none runs.

The pages are opened twice: as served (the Content-Security-Policy would block an inline script
anyway) and with the policy bypassed, so that the test proves the escaping itself, not only the
policy. A payload "runs" if it increments ``window.__pwned``, opens a dialog, or leaves an element
with an event handler or an inline script in the page."""

import contextlib
from urllib.parse import quote

import pytest

from tests.browser.test_pipeline import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARK = "window.__pwned=(window.__pwned||0)+1"
PAYLOADS = [
    f"<script>{MARK}</script>",
    f'<img src=x onerror="{MARK}">',
    f'"><svg onload="{MARK}">',
    '\'><iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
    f'</textarea><details open ontoggle="{MARK}">',
    f"javascript:{MARK}",
]

SCAN = """() => {
  const handlers = [...document.querySelectorAll('*')].filter(el =>
    [...el.attributes].some(a => a.name.startsWith('on') && a.value.includes('__pwned')));
  const scripts = [...document.querySelectorAll('script:not([src])')].filter(s => s.textContent.includes('__pwned'));
  const frames = [...document.querySelectorAll('iframe[srcdoc]')];
  return {ran: window.__pwned || 0, handlers: handlers.length, scripts: scripts.length, frames: frames.length,
          shown: document.body.innerText.includes('__pwned')};
}"""


@pytest.fixture
def world(settings, tmp_path):
    """The demo site with a payload in every field people type."""
    from django.contrib.auth import get_user_model

    from badges.issuing import services
    from badges.learning import selectors as learning_selectors
    from badges.learning import services as learning
    from badges.models import Learner
    from microcred.demo import seed_demo
    from proposals import services as proposal_services
    from proposals.policy import State
    from tests.factories import complete_proposal
    from tests.workflow import place_at, publish_achievement

    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    seed_demo(with_proposals=False)
    users = get_user_model().objects.in_bulk(field_name="username")
    services.create_issuer_key()
    author = users["faculty"]
    unit = author.unit_roles.first().unit
    proposal = complete_proposal(
        author=author,
        unit=unit,
        title=PAYLOADS[0][:200],
        code="MC-XSS-1",
        summary=PAYLOADS[1],
        purpose=PAYLOADS[2],
        target_learners=PAYLOADS[4],
        stacks_into=PAYLOADS[3],
    )
    proposal = place_at(proposal, State.UNIT_REVIEW)
    proposal_services.add_comment(proposal=proposal, user=author, body=" ".join(PAYLOADS))
    # A published one, so its name reaches the catalog, the awards and the registrar.
    achievement = publish_achievement(
        users, lambda execute=True: contextlib.nullcontext(), title=PAYLOADS[1][:200], code="MC-XSS-2"
    )
    learner = users["learner"]
    learner.first_name, learner.last_name = PAYLOADS[2][:150], PAYLOADS[0][:150]
    learner.save()
    Learner.objects.update_or_create(user=learner, defaults={"student_id": "B0000777"})
    enrolment = learning.join(user=learner, achievement=achievement, evidence_public=True, listed=True)
    part = learning_selectors.required_parts(achievement)[0][0]
    learning.submit_evidence(enrolment=enrolment, user=learner, part=part, text=" ".join(PAYLOADS))
    award = services.award(
        learner=learner, achievement=achievement, narrative=" ".join(PAYLOADS), evidence_public=True
    )
    return {"proposal": proposal, "achievement": achievement, "award": award, "enrolment": enrolment}


def pages(world):
    from django.urls import reverse

    from badges.models import Evidence

    proposal, award = world["proposal"], world["award"]
    evidence = Evidence.objects.get(enrolment=world["enrolment"])
    return {
        None: [
            reverse("badges:award", args=[award.public_id]),
            reverse("badges:catalog"),
            reverse("badges:catalog_detail", args=[world["achievement"].uuid]),
        ],
        "faculty": [
            reverse("home"),
            reverse("proposals:mine"),
            reverse("proposals:detail", args=[proposal.pk]),
            reverse("proposals:search") + "?q=" + quote(PAYLOADS[1]),
        ],
        "unitreviewer": [reverse("review:queue"), reverse("proposals:detail", args=[proposal.pk])],
        "evaluator": [reverse("badges:evaluation_queue"), reverse("badges:review", args=[evidence.pk])],
        "learner": [reverse("badges:my_awards"), reverse("badges:award", args=[award.public_id])],
        "registrar": [reverse("transcripts:queue")],
        "office": [reverse("review:dashboard"), reverse("badges:award", args=[award.public_id])],
    }


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["as served", "policy bypassed"])
def test_no_stored_payload_runs_anywhere(browser, live_server, world, bypass_csp):
    context = browser.new_context(base_url=live_server.url, bypass_csp=bypass_csp)
    context.set_default_timeout(15_000)
    dialogs = []
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    checked = []
    try:
        for username, urls in pages(world).items():
            if username:
                log_in(page, username)
            for url in urls:
                page.goto(url, timeout=20_000)
                page.wait_for_timeout(150)  # an onerror or onload would have fired by now
                found = page.evaluate(SCAN)
                ran = {key: found[key] for key in ("ran", "handlers", "scripts", "frames")}
                assert ran == {"ran": 0, "handlers": 0, "scripts": 0, "frames": 0}, (
                    f"{username or 'anonymous'} {url}: {found}"
                )
                checked.append((username, url, found["shown"]))
            if username:
                context.clear_cookies()
    finally:
        with contextlib.suppress(Exception):
            page.goto("about:blank", timeout=5_000)
        context.close()
    assert not dialogs
    # The payloads were really on the pages, as text: on most pages at least one shows.
    assert sum(shown for _user, _url, shown in checked) >= len(checked) - 3, checked
