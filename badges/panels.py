"""The awards app's panel on the proposal page: what depends on a published micro-credential."""

from proposals import selectors as proposal_selectors
from proposals.policy import State

from .models import Award, Enrolment


def impact_panel(request, proposal):
    """For a published (or retired) micro-credential: the micro-certificates that list it as a
    component, what it stacks into, and how many learners are enrolled in it and hold it, as counts
    over every achievement version. Three queries, whatever the numbers."""
    if proposal.state not in (State.PUBLISHED, State.RETIRED):
        return None
    return {
        "template": "badges/includes/impact_panel.html",
        "where": "top",
        "dependents": list(proposal_selectors.dependents(proposal)),
        "enrolled": Enrolment.objects.filter(achievement__proposal=proposal)
        .values("learner")
        .distinct()
        .count(),
        "holding": Award.objects.filter(achievement__proposal=proposal, state=Award.State.ISSUED)
        .values("learner")
        .distinct()
        .count(),
    }
