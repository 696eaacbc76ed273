from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from proposals.policy import State

register = template.Library()


@register.simple_tag
def proposal_field(field, needs=None, checking=False):
    """A crispy field followed by what the submission rules still need from it, linked to the
    control with aria-describedby so that a screen reader reads the message with the field."""
    messages = [p.message for p in (needs or []) if p.field == field.name and p.part is None]
    if not messages:
        return as_crispy_field(field)
    note_id = f"need-{field.auto_id}"
    help_id = f"{field.auto_id}_helptext" if field.help_text else ""
    field.field.widget.attrs["aria-describedby"] = " ".join(filter(None, [help_id, note_id]))
    return mark_safe(as_crispy_field(field) + need_note(note_id, messages, checking))  # noqa: S308


def need_note(note_id, messages, checking):
    css = "mc-need mc-need-error" if checking else "mc-need"
    intro = "As last saved, needed before you can submit:" if not checking else "Not submitted:"
    items = format_html_join("", "<li>{}</li>", ((m,) for m in messages))
    return format_html(
        '<div class="{}" id="{}"{}><strong>{}</strong><ul class="mb-0">{}</ul></div>',
        css,
        note_id,
        mark_safe(' role="alert"') if checking else "",
        intro,
        items,
    )


@register.simple_tag
def needs_note(needs, field_name, checking=False, part=None, note_id=""):
    """The rule messages for a whole part list (``courses``) or one row of it (``part``)."""
    messages = [p.message for p in (needs or []) if p.field == field_name and p.part == part]
    if not messages:
        return ""
    return need_note(note_id or f"need-{field_name}-{part or 'all'}", messages, checking)


@register.inclusion_tag("proposals/includes/state_badge.html")
def state_badge(state):
    tone = {
        State.DRAFT: "secondary",
        State.RETURNED: "warning",
        State.APPROVED: "success",
        State.PUBLISHED: "success",
        State.REJECTED: "danger",
        State.WITHDRAWN: "dark",
        State.RETIRED: "dark",
    }.get(state, "info")
    return {"label": State.label(state), "tone": tone}


@register.filter
def dash(value):
    """Show an empty answer as an explicit dash in read-only views."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "—"
    return value


@register.inclusion_tag("proposals/includes/read_heading.html", takes_context=True)
def read_heading(context, anchor, title):
    """A reading section's heading: a button in it folds and unfolds the section (``js/fold.js``), and
    for a reviewer a mark says what changed there since the version they last reviewed."""
    since = context.get("since")
    return {
        "anchor": anchor,
        "title": title,
        "since": since,
        "changes": since.by_section.get(anchor, []) if since else [],
    }
