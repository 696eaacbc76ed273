"""Form fields that refuse what the database cannot take, with the field's own message, before any
query: every form of the product uses them (model forms through ``Meta.formfield_callback =
safe_formfield``).

Django's model choice fields hand a posted id to the database as it came: ``int()`` reads "²" and
other Unicode digits (so "²" chose the object with id 2), and an id past the key column's range
overflows the database driver, a server error. An aware date and time near the ends of the calendar
may have no UTC equivalent (31 December 9999 at 23:59 in New York is in the year 10000 in UTC), and
storing it overflows too."""

from datetime import UTC

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.utils.text import Truncator

from .ids import parse_id


def is_id_of(queryset, key, value):
    """Whether ``value`` can be a key of ``queryset``'s model: for an integer key, ASCII digits
    within the key column's range (see ``parse_id``); other keys are left to Django."""
    field = queryset.model._meta.get_field(key) if key else queryset.model._meta.pk
    if field.is_relation:  # a one-to-one primary key
        field = field.target_field
    if not isinstance(field, models.IntegerField):
        return True
    number = parse_id(value if isinstance(value, str) else str(value))
    _low, high = connections[queryset.db].ops.integer_field_range(field.get_internal_type())
    return number is not None and (high is None or number <= high)


def _shown(value):
    return Truncator(str(value)).chars(20)


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, self.queryset.model)
            and not is_id_of(self.queryset, self.to_field_name, value)
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": _shown(value)}
            )
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            if not isinstance(pk, list | tuple | dict) and not is_id_of(
                self.queryset, self.to_field_name, pk
            ):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": _shown(pk)}
                )
        return super()._check_values(value)


def storable_moment(moment):
    """Whether an aware date and time has a UTC equivalent that Python (and so the database
    adapters) can represent."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True


class SafeDateTimeField(forms.DateTimeField):
    default_error_messages = {"out_of_range": "Enter a date and time between the years 1 and 9999."}

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and moment.tzinfo is not None and not storable_moment(moment):
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return moment


def safe_formfield(db_field, **kwargs):
    """``Meta.formfield_callback`` of the product's model forms: foreign keys, many-to-many fields
    and dates with times get the fields above (a ``Meta.field_classes`` entry, itself one of them
    or a subclass, still wins)."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", SafeModelChoiceField)
    elif isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", SafeDateTimeField)
    return db_field.formfield(**kwargs)
