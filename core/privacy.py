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
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

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
