"""``{{ user|person }}``: a person's name on a page (``core.people.full_name``). A builtin: every
template may use it without loading it."""

from django import template

from ..people import full_name

register = template.Library()


@register.filter
def person(user):
    return full_name(user)
