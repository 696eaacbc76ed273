"""The admin cannot forge what only the workflow may record (issue 20, hole 3): fee sign-offs,
consultations and a proposal's stamps are read-only in every state, and a staff member allowed to
change users or groups cannot grant what only a superuser grants. Each test posts the admin's own
form, with the forged values added, and reads the result back from the database."""

from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError

from proposals.models import Consultation, Proposal
from proposals.policy import State
from proposals.services import SubmissionRefused
from review import services
from review.models import AuditEvent
from tests.factories import complete_proposal
from tests.workflow import act, submit, walk_to

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "x-Long-pw-42!"


@pytest.fixture(params=["demo", "fiu_demo"])
def people(request):
    """The demo organisation of each policy profile in turn."""
    return request.getfixturevalue(request.param)


def proposal_of(people, **fields):
    author = people["faculty"]
    return complete_proposal(author=author, unit=author.unit_roles.first().unit, **fields)


def _field_data(form):
    """What the browser would send back for ``form`` as the admin rendered it."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        key, value = form.add_prefix(name), form[name].value()
        if isinstance(field, forms.SplitDateTimeField):
            if value:
                data[f"{key}_0"], data[f"{key}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [str(v) for v in value]
        elif value is not None:
            data[key] = str(value)
    return data


def admin_form(client, url):
    """The admin page at ``url`` as a browser would post it back: its form and its inlines."""
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    data = _field_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(_field_data(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_field_data(form))
    return data


def post(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def change_url(obj):
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


# --- fee sign-off ---------------------------------------------------------------------------------


FORGED_SIGN_OFF = {
    "fee_review_signed_at_0": "2025-01-06",
    "fee_review_signed_at_1": "10:00:00",
    "fee_review_amount": "75",
    "fee_review_notes": "Lab kit",
}


@pytest.mark.parametrize("state", [State.DRAFT, State.RETURNED])
def test_the_admin_cannot_sign_off_the_fees_of_an_editable_proposal(client, people, state):
    proposal = proposal_of(people, fee_amount=Decimal(75), fee_notes="Lab kit")
    Proposal.objects.filter(pk=proposal.pk).update(state=state)
    client.force_login(people["admin"])
    data = admin_form(client, change_url(proposal))
    data.update(FORGED_SIGN_OFF, fee_review_signed_by=people["office"].pk, stage_entered_at="2025-01-06")
    data.update(title="Data Storytelling, revised")  # what the admin may change still changes
    post(client, change_url(proposal), data)
    proposal.refresh_from_db()
    assert proposal.title == "Data Storytelling, revised"
    assert proposal.state == state and proposal.stage_entered_at is None
    assert (proposal.fee_review_signed_by, proposal.fee_review_signed_at) == (None, None)
    assert (proposal.fee_review_amount, proposal.fee_review_notes) == (None, "")


def test_after_trying_the_admin_the_final_approval_still_needs_a_real_sign_off(client, demo):
    proposal = proposal_of(demo, fee_amount=Decimal(75), fee_notes="Lab kit")
    client.force_login(demo["admin"])
    data = admin_form(client, change_url(proposal))
    data.update(FORGED_SIGN_OFF, fee_review_signed_by=demo["office"].pk)
    post(client, change_url(proposal), data)
    proposal = walk_to(Proposal.objects.get(pk=proposal.pk), demo, State.OFFICE_REVIEW)
    with pytest.raises(ValidationError, match="fee review sign-off"):
        act(proposal, demo, "approve")
    assert not AuditEvent.objects.filter(proposal=proposal, action=AuditEvent.Action.FEE_SIGNOFF).exists()


# --- consultations --------------------------------------------------------------------------------


def forged_completion(people):
    return {
        "closed_at_0": "2025-01-06",
        "closed_at_1": "10:00:00",
        "closed_by": people["office"].pk,
        "rigor": "Graduate-level capstone",
    }


def test_the_admin_cannot_create_a_completed_consultation(client, people):
    proposal = proposal_of(people)
    proposal.consultations.all().delete()
    client.force_login(people["admin"])
    data = admin_form(client, "/admin/proposals/consultation/add/")
    data.update(proposal=proposal.pk, requested_by=people["faculty"].pk, message="Rigor?")
    data.update(forged_completion(people))
    post(client, "/admin/proposals/consultation/add/", data)
    consultation = Consultation.objects.get(proposal=proposal)
    assert consultation.message == "Rigor?"  # opened, as the authors could have asked
    assert (consultation.closed_at, consultation.closed_by, consultation.rigor) == (None, None, "")
    assert not consultation.is_completed


def test_the_admin_cannot_complete_or_move_an_open_consultation(client, people):
    proposal, other = proposal_of(people), proposal_of(people, title="Another one")
    proposal.consultations.all().delete()
    opened = Consultation.objects.create(proposal=proposal, requested_by=people["faculty"], message="Rigor?")
    client.force_login(people["admin"])
    data = admin_form(client, change_url(opened))
    data.update(forged_completion(people), proposal=other.pk, requested_by=people["admin"].pk)
    post(client, change_url(opened), data)
    opened.refresh_from_db()
    assert (opened.proposal, opened.requested_by, opened.message) == (proposal, people["faculty"], "Rigor?")
    assert (opened.closed_at, opened.closed_by, opened.rigor) == (None, None, "")


def test_a_completed_consultation_cannot_be_rewritten_or_moved(client, people):
    proposal, other = proposal_of(people), proposal_of(people, title="Another one")
    proposal.consultations.all().delete()
    other.consultations.all().delete()
    Consultation.objects.create(proposal=proposal, requested_by=people["faculty"])
    completed = services.complete_consultation(proposal=proposal, user=people["office"], rigor="Capstone")
    client.force_login(people["admin"])
    data = admin_form(client, change_url(completed))
    data.update(proposal=other.pk, rigor="Something else", closed_by=people["admin"].pk)
    post(client, change_url(completed), data)
    completed.refresh_from_db()
    assert (completed.proposal, completed.closed_by) == (proposal, people["office"])
    assert completed.rigor == "Capstone"
    assert not other.consultations.exists()


def test_fiu_proposal_needs_a_real_consultation_after_trying_the_admin(client, fiu_demo):
    proposal = proposal_of(fiu_demo)
    proposal.consultations.all().delete()
    client.force_login(fiu_demo["admin"])
    data = admin_form(client, "/admin/proposals/consultation/add/")
    data.update(proposal=proposal.pk, requested_by=fiu_demo["faculty"].pk, **forged_completion(fiu_demo))
    post(client, "/admin/proposals/consultation/add/", data)
    with pytest.raises(SubmissionRefused) as refused:
        submit(Proposal.objects.get(pk=proposal.pk))
    assert ("basics", "consultation") in {(p.section, p.field) for p in refused.value.problems}
    assert Proposal.objects.get(pk=proposal.pk).state == State.DRAFT
    # The office completes the consultation the admin opened; then it goes.
    services.complete_consultation(proposal=proposal, user=fiu_demo["office"], rigor="Capstone")
    assert submit(Proposal.objects.get(pk=proposal.pk)).state == State.UNIT_REVIEW


# --- people: only superusers grant powers ---------------------------------------------------------


def staff_with(*codenames, username="helpdesk"):
    """A staff member (not a superuser) holding only these permissions, through a group."""
    user = User.objects.create_user(username, email=f"{username}@example.edu", password="pw", is_staff=True)
    group = Group.objects.create(name=f"{username} desk")
    group.permissions.set(Permission.objects.filter(codename__in=codenames))
    user.groups.add(group)
    return User.objects.get(pk=user.pk)  # no cached permissions


def grant_everything(data, groups):
    data.update(is_staff="on", is_superuser="on", is_active="on")
    data["groups"] = [str(g.pk) for g in groups]
    data["user_permissions"] = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    return data


def try_to_grant_everything(client, user, groups):
    """Post ``user``'s admin change form back with every power ticked."""
    post(client, change_url(user), grant_everything(admin_form(client, change_url(user)), groups))


def powers(user):
    user = User.objects.get(pk=user.pk)
    return user.is_staff, user.is_superuser, set(user.groups.all()), set(user.user_permissions.all())


def test_staff_who_may_change_users_cannot_make_themselves_or_anyone_superuser(client, demo):
    helpdesk = staff_with("change_user", "view_user", "add_user")
    own_groups = set(helpdesk.groups.all())
    office_groups = list(demo["office"].groups.all())
    client.force_login(helpdesk)
    data = grant_everything(admin_form(client, change_url(helpdesk)), office_groups)
    post(client, change_url(helpdesk), {**data, "first_name": "Help"})
    assert User.objects.get(pk=helpdesk.pk).first_name == "Help"  # the rest of the form still saves
    assert powers(helpdesk) == (True, False, own_groups, set())
    learner = demo["learner"]
    before = powers(learner)
    try_to_grant_everything(client, learner, office_groups)
    assert powers(learner) == before
    # Nor on the add form.
    add = "/admin/auth/user/add/"
    data = grant_everything(admin_form(client, add), office_groups)
    post(client, add, {**data, "username": "newcomer", "password1": PASSWORD, "password2": PASSWORD})
    assert powers(User.objects.get(username="newcomer")) == (False, False, set(), set())


def test_staff_who_may_change_users_cannot_take_over_a_superuser(client, demo):
    helpdesk = staff_with("change_user", "view_user")
    admin = demo["admin"]
    client.force_login(helpdesk)
    password = {"password1": PASSWORD, "password2": PASSWORD}
    assert client.post(f"/admin/auth/user/{admin.pk}/password/", password).status_code == 403
    email = {"username": "admin", "email": "me@elsewhere.example"}
    assert client.post(change_url(admin), email).status_code == 403
    admin.refresh_from_db()
    assert not admin.check_password(PASSWORD) and admin.email != "me@elsewhere.example"


def test_staff_who_may_change_groups_cannot_add_permissions_to_one(client, demo):
    helpdesk = staff_with("change_group", "view_group")
    desk = helpdesk.groups.get()
    before = set(desk.permissions.all())
    client.force_login(helpdesk)
    data = admin_form(client, change_url(desk))
    data["permissions"] = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    post(client, change_url(desk), data)
    assert set(desk.permissions.all()) == before


def test_a_superuser_still_grants_powers(client, demo):
    office_groups = list(demo["office"].groups.all())
    learner = demo["learner"]
    client.force_login(demo["admin"])
    try_to_grant_everything(client, learner, office_groups)
    is_staff, is_superuser, groups, permissions = powers(learner)
    assert is_staff and is_superuser and groups == set(office_groups)
    assert permissions == set(Permission.objects.all())
