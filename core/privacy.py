"""Everything the product holds about a person, as one machine-readable document: the answer to a
data-access request (FERPA's right to inspect, GDPR's article 15).

Read from the models themselves, so that a new app's rows are in it without anyone remembering to
add them: every row of every model that points at the person's account (as learner, author, voter,
reviewer, recipient, actor …), and the rows that belong to those of them the person owns (an
award's signed credentials and registrar records, an enrolment's evidence). Never the password
hash, never the bytes of a file (its name and type only)."""

import json

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from . import hooks

# Fields of the account never exported: the password hash is no personal data of use to anyone,
# and it is a secret.
ACCOUNT_SECRETS = {"password"}
# A row the person owns (these names of a foreign key to the account say so): its dependents are
# the person's too.
OWNER_FIELDS = {"user", "learner", "recipient", "voter"}


def _user_model():
    return apps.get_model(settings.AUTH_USER_MODEL)


def _rows(queryset):
    rows = []
    for item in serializers.serialize("python", queryset):
        fields = {
            name: value
            for name, value in item["fields"].items()
            if not isinstance(value, bytes | memoryview) and name not in ACCOUNT_SECRETS
        }
        rows.append({"id": item["pk"], **fields})
    return rows


def _pointing_at(model_class, targets):
    """(field, queryset) for each foreign key of ``model_class`` to ``targets``' model."""
    return [
        (field, model_class._default_manager.filter(**{f"{field.name}__in": targets}))
        for field in model_class._meta.get_fields()
        if isinstance(field, models.ForeignKey | models.OneToOneField)
        and field.related_model is targets.model
        and field.concrete
    ]


def export_person(user):
    """A dict of everything held about ``user``, keyed by ``app_label.model``."""
    user_model = _user_model()
    people = user_model._default_manager.filter(pk=user.pk)
    data = {"exported_at": timezone.now(), "account": _rows(people)[0]}
    owned = []
    for model_class in apps.get_models():
        if model_class is user_model:
            continue
        for field, queryset in _pointing_at(model_class, people):
            rows = _rows(queryset.order_by("pk"))
            if rows:
                label = f"{model_class._meta.label_lower} (as {field.name})"
                data[label] = rows
                if field.name in OWNER_FIELDS:
                    owned.append(queryset)
    for mine in owned:
        for model_class in apps.get_models():
            for _field, queryset in _pointing_at(model_class, mine):
                rows = _rows(queryset.order_by("pk"))
                if rows:
                    label = (
                        f"{model_class._meta.label_lower} (of the person's {mine.model._meta.verbose_name})"
                    )
                    data.setdefault(label, []).extend(r for r in rows if r not in data.get(label, []))
    return data


def export_json(user):
    return json.dumps(export_person(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, default=str)


ERASED_REASON = "Erased at the holder's request."


@transaction.atomic
def erase_person(*, user, by):
    """Erase a person at their request (GDPR's article 17), by a superuser: every app removes or
    anonymises what it holds (``PERSON_ERASED``: their awards are revoked with the reason
    ``ERASED_REASON``, their signed credentials kept so that they verify as revoked; their evidence
    is deleted), then the account keeps no name, email, login or way to sign in. Records the
    institution must keep stay, without the person's data where they held a copy of it: votes,
    audit trails and decisions keep pointing at the now anonymous account; the registrar's records
    stay as the academic record. Erasing twice changes nothing more. Returns the account."""
    if not getattr(by, "is_superuser", False):
        raise PermissionDenied("Only an administrator erases a person.")
    if by.pk == user.pk:
        raise PermissionDenied("An administrator does not erase their own account.")
    for eraser in hooks.implementations(hooks.PERSON_ERASED):
        eraser(user, by)
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    from .models import FormSubmission, Profile

    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    FormSubmission.objects.filter(user=user).delete()
    Profile.objects.filter(user=user).update(affiliation="", unit="")
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    return user
