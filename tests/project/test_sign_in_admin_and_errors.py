import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from microcred.demo import DEMO_PASSWORD
from proposals.models import Competency, Unit
from review.models import Membership, ReviewBody

pytestmark = pytest.mark.django_db


def test_nace_competencies_are_seeded_with_definitions_and_urls():
    nace = Competency.objects.filter(framework__slug="nace").order_by("position")
    assert [c.name for c in nace] == [
        "Critical thinking / problem solving",
        "Oral / written communications",
        "Teamwork / collaboration",
        "Digital technology",
        "Leadership",
        "Professionalism / work ethic",
        "Career management",
        "Global / intercultural fluency",
    ]
    for competency in nace:
        assert len(competency.definition) > 60
        assert competency.url.startswith("https://www.naceweb.org/")


def _snapshot():
    users = (
        get_user_model()
        .objects.order_by("username")
        .values_list("username", "password", "email", "is_staff", "is_superuser")
    )
    return (
        list(users),
        list(Unit.objects.order_by("code").values_list("code", "name", "kind", "parent__code")),
        list(ReviewBody.objects.order_by("slug").values_list("slug", "kind", "unit__code", "profile")),
        list(
            Membership.objects.order_by("body__slug", "user__username").values_list(
                "body__slug", "user__username", "role"
            )
        ),
        list(get_user_model().groups.through.objects.order_by("pk").values_list("user_id", "group_id")),
    )


def test_seed_demo_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    assert "admin" in capsys.readouterr().out


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="faculty").exists()
    call_command("seed_demo", "--force")
    assert get_user_model().objects.filter(username="faculty").exists()


def test_seed_demo_creates_the_bodies_of_the_active_profile(settings, demo):
    kinds = set(ReviewBody.objects.exclude(kind="unit_committee").values_list("kind", flat=True))
    assert kinds == {"office_committee", "graduate_council", "eppc", "fsec"}


def test_wrong_password_gives_a_clear_error_and_no_session(client, demo):
    response = client.post(reverse("login"), {"username": "faculty", "password": "not-the-password"})
    assert response.status_code == 200
    assert "That username and password do not match an account" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_right_password_logs_in_and_lands_on_my_work(client, demo):
    response = client.post(reverse("login"), {"username": "faculty", "password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert client.session[SESSION_KEY] == str(demo["faculty"].pk)


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_needs_a_post_and_ends_the_session(client, demo):
    client.force_login(demo["faculty"])
    client.post(reverse("logout"))
    assert SESSION_KEY not in client.session


def test_password_reset_sends_an_email_with_a_link(client, demo, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "faculty@demo.invalid"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


HOME_PANELS = {
    "faculty": ["faculty"],
    "unitreviewer": ["unit-review"],
    "office": ["office"],
    "eppc-chair": ["body-eppc"],
    "gc-member1": ["body-gc"],
    "evaluator": ["evaluator"],
    "registrar": ["registrar"],
    "learner": ["learner"],
    "admin": ["admin"],
}


@pytest.mark.parametrize(("username", "panels"), HOME_PANELS.items())
def test_home_shows_each_role_its_own_work(client, demo, username, panels):
    client.force_login(demo[username])
    response = client.get(reverse("home"))
    html = response.content.decode()
    for panel in panels:
        assert f'data-panel="{panel}"' in html
    for other in {p for ps in HOME_PANELS.values() for p in ps} - set(panels):
        assert f'data-panel="{other}"' not in html


def test_home_empty_states_say_so(client, demo):
    client.force_login(demo["faculty"])
    assert "You have no proposals yet." in client.get(reverse("home")).content.decode()
    client.force_login(demo["registrar"])
    assert "No record yet." in client.get(reverse("home")).content.decode()


def test_user_with_no_role_is_told_what_to_do(client, db):
    user = get_user_model().objects.create_user("nobody", password="x")
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert "Your account has no role yet" in html


def test_home_page_query_count_does_not_grow_with_memberships(client, demo, django_assert_max_num_queries):
    user = demo["eppc-member1"]
    client.force_login(user)
    # Session, user, roles (3), own proposals by state, the queue (counts, first rows), activity.
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("home"))
    for body in ReviewBody.objects.exclude(memberships__user=user).exclude(kind="unit_committee"):
        Membership.objects.create(body=body, user=user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))


def test_base_layout_is_accessible(client, demo):
    client.force_login(demo["faculty"])
    html = client.get(reverse("home")).content.decode()
    assert 'href="#main"' in html and "Skip to main content" in html
    assert '<main id="main"' in html
    assert '<nav class="navbar' in html and 'aria-label="Main"' in html
    assert "cdn" not in html.lower()
    assert "/static/bootstrap/css/bootstrap.min.css" in html


def test_unknown_page_is_a_friendly_404(client, demo, settings):
    settings.DEBUG = False
    client.force_login(demo["faculty"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_healthz_checks_the_database(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


ADMIN_MODELS = [
    "proposals/unit",
    "proposals/unitrole",
    "proposals/competency",
    "proposals/competencyframework",
    "review/reviewbody",
    "review/membership",
    "review/notification",
    "auth/user",
    "auth/group",
    "proposals/proposal",
    "proposals/proposalversion",
    "proposals/attachment",
    "proposals/consultation",
    "proposals/comment",
    "review/auditevent",
    "review/ballot",
    "review/meeting",
    "review/internalnote",
    "badges/issuerkey",
    "badges/achievement",
    "badges/award",
    "badges/credential",
    "badges/credlybadge",
    "badges/bulkaward",
    "badges/expirychange",
    "badges/statuslist",
    "review/membershipchange",
]


def test_every_model_is_in_the_admin():
    from django.apps import apps
    from django.contrib import admin

    inline_only = {
        "course",
        "experience",
        "activity",
        "assessment",
        "learningoutcome",
        "vote",
        "ballotvoter",
        "agendaitem",
    }
    for app in ("proposals", "review"):
        for model in apps.get_app_config(app).get_models():
            if model._meta.model_name not in inline_only:
                assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_lists_and_searches_every_model(client, demo, model):
    client.force_login(demo["admin"])
    response = client.get(f"/admin/{model}/", {"q": "a"})
    assert response.status_code == 200


def test_admin_is_closed_to_people_who_are_not_staff(client, demo):
    client.force_login(demo["faculty"])
    response = client.get("/admin/proposals/unit/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_unit_lineage_reaches_the_university(demo):
    cs = Unit.objects.get(code="cs")
    assert [u.code for u in cs.ancestors()] == ["watson", "binghamton"]


def test_admin_opens_a_proposal_with_its_parts(client, demo):
    from tests.factories import complete_proposal

    proposal = complete_proposal()
    client.force_login(demo["admin"])
    response = client.get(f"/admin/proposals/proposal/{proposal.pk}/change/")
    assert response.status_code == 200
    assert "Weekly data clinic" in response.content.decode()


def test_get_on_a_form_only_address_is_a_friendly_405(client, demo):
    client.force_login(demo["faculty"])
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert "This address only takes a submitted form" in response.content.decode()
    assert "POST" in response["Allow"]


def test_csrf_failure_is_explained(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["faculty"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "Your session changed since this page was opened" in response.content.decode()


def test_learner_sees_only_the_links_for_their_role(client, demo):
    client.force_login(demo["learner"])
    html = client.get("/").content.decode()
    assert "My proposals" not in html and "My queue" not in html and "Meetings" not in html
    client.force_login(demo["office"])
    html = client.get("/").content.decode()
    assert "My queue" in html and "Pipeline" in html


def test_membership_changes_in_the_admin_are_recorded_with_who_made_them(client, demo):
    """Who could vote on what is evidence: joining, a role change and leaving a body are recorded
    with the admin who did it, and the record outlives the membership."""
    from review.models import Membership, MembershipChange, ReviewBody

    body = ReviewBody.objects.get(slug="gc")
    person = demo["coauthor"]
    client.force_login(demo["admin"])
    start = MembershipChange.objects.count()
    response = client.post(
        "/admin/review/membership/add/",
        {"user": person.pk, "body": body.pk, "role": "member", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(body=body, user=person)
    client.post(
        f"/admin/review/membership/{membership.pk}/change/",
        {"user": person.pk, "body": body.pk, "role": "chair", "is_active": "on"},
    )
    client.post(
        f"/admin/review/membership/{membership.pk}/change/",
        {"user": person.pk, "body": body.pk, "role": "chair", "is_active": "on"},
    )
    client.post(f"/admin/review/membership/{membership.pk}/delete/", {"post": "yes"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    records = list(
        MembershipChange.objects.order_by("id")[start:].values_list(
            "action", "role_before", "role_after", "changed_by__username", "person_name", "body_name"
        )
    )
    name = person.get_full_name()
    assert records == [
        ("added", "", "member", "admin", name, body.name),
        ("changed", "member", "chair", "admin", name, body.name),  # saving again unchanged adds nothing
        ("removed", "chair", "", "admin", name, body.name),
    ]
    page = client.get("/admin/review/membershipchange/").content.decode()
    assert name in page and "Removed" in page
    # Nobody edits or deletes the record itself.
    record = MembershipChange.objects.last()
    assert client.get(f"/admin/review/membershipchange/{record.pk}/delete/").status_code == 403
