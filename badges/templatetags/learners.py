"""``{{ user|learner_name }}``: a learner's name as their credentials show it (``badges.people``)."""

from django import template

from .. import people

register = template.Library()


@register.filter
def learner_name(user):
    return people.learner_name(user)
