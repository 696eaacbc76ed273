"""``{% csrf_token %}`` with a submission key beside the CSRF token (see ``core.once``).

Registered as a template builtin in the settings, after Django's own, so that this ``csrf_token``
replaces Django's in every template, the admin's and allauth's included: every form rendered
carries its key without any template having to remember it."""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html

from ..once import FIELD, new_key

register = template.Library()


class CsrfAndSubmissionKeyNode(template.Node):
    def render(self, context):
        csrf = CsrfTokenNode().render(context)
        if not csrf:
            return csrf
        return csrf + format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())


@register.tag
def csrf_token(parser, token):
    return CsrfAndSubmissionKeyNode()
