"""What other apps add to proposals, read through the hook registry (``core.hooks``): the panels of
the proposal page, the stage approvals and reviewed versions the review app keeps, and the tasks
handed each published proposal."""

from core import hooks


def detail_panels(request, proposal):
    """Each registered panel rendered to HTML, with where it goes on the page."""
    from django.template.loader import render_to_string

    rendered = []
    for panel in hooks.implementations(hooks.PROPOSAL_PANELS):
        answer = panel(request, proposal) or []
        for context in answer if isinstance(answer, list) else [answer]:
            html = render_to_string(context["template"], {**context, "proposal": proposal}, request=request)
            rendered.append(
                {"where": context.get("where", "top"), "html": html, "jumps": context.get("jumps", [])}
            )
    return rendered


def stage_approvals(proposal):
    return [
        approval for reader in hooks.implementations(hooks.STAGE_APPROVALS) for approval in reader(proposal)
    ]


def published_tasks():
    return hooks.implementations(hooks.PROPOSAL_PUBLISHED)


def last_reviewed_version(proposal, user):
    readers = hooks.implementations(hooks.REVIEWED_VERSION)
    numbers = [n for reader in readers if (n := reader(proposal, user))]
    return max(numbers, default=None)
