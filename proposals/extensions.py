"""Panels other apps add to the proposal page (the review app adds the progress track, the
actions open to the reader, the vote and the history). Registered when those apps start."""

_detail_panels = []


def register_detail_panel(panel):
    """``panel(request, proposal)`` returns ``{"template": ..., "where": "top" | "actions" | "aside", ...}``,
    a list of those (one panel in several places of the page), or None;
    an optional ``"jumps"`` lists ``{"anchor", "label", "primary"}`` links to the panel's actions, which
    the page's navigation shows wherever the reader has scrolled to."""
    if panel not in _detail_panels:
        _detail_panels.append(panel)
    return panel


def detail_panels(request, proposal):
    """Each registered panel rendered to HTML, with where it goes on the page."""
    from django.template.loader import render_to_string

    rendered = []
    for panel in _detail_panels:
        answer = panel(request, proposal) or []
        for context in answer if isinstance(answer, list) else [answer]:
            html = render_to_string(context["template"], {**context, "proposal": proposal}, request=request)
            rendered.append(
                {"where": context.get("where", "top"), "html": html, "jumps": context.get("jumps", [])}
            )
    return rendered


_approval_readers = []


def register_approvals_reader(reader):
    """``reader(proposal)`` returns the stage approvals on record as (state, route keys) pairs; the
    review app keeps them. Lets the proposal page say where a resubmission will go."""
    if reader not in _approval_readers:
        _approval_readers.append(reader)
    return reader


def stage_approvals(proposal):
    return [approval for reader in _approval_readers for approval in reader(proposal)]


_published_tasks = []


def register_published_task(task_name):
    """A Celery task, by name, handed the id of every proposal that is published (the awards app
    builds its achievement): publishing hands over without the apps below importing the ones above."""
    if task_name not in _published_tasks:
        _published_tasks.append(task_name)
    return task_name


def published_tasks():
    return list(_published_tasks)


_reviewed_version_readers = []


def register_reviewed_version_reader(reader):
    """``reader(proposal, user)`` returns the number of the newest version this person reviewed (voted
    on, decided, approved for a unit …) or None; the review app keeps those records. Lets the
    proposal page mark what changed since."""
    if reader not in _reviewed_version_readers:
        _reviewed_version_readers.append(reader)
    return reader


def last_reviewed_version(proposal, user):
    numbers = [n for reader in _reviewed_version_readers if (n := reader(proposal, user))]
    return max(numbers, default=None)
