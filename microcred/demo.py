"""The demo site, built by each app's demo builder in dependency order (proposals, review, badges,
transcripts). Lives at the project level so that no app imports one
above it."""

from django.db import transaction

from badges.demo import seed_awards
from proposals.demo import DEMO_PASSWORD, DemoLogin, seed_people
from review.demo import seed_bodies, seed_demo_proposals, seed_preferences
from transcripts.demo import seed_records

__all__ = ["DEMO_PASSWORD", "DemoLogin", "seed_demo"]


@transaction.atomic
def seed_demo(*, with_proposals=True):
    """Create (or find) the demo organisation and users of the active profile, and proposals at
    several stages of the pipeline and a daily digest for two of the users (``with_proposals``);
    return the logins."""
    site = seed_people()
    seed_bodies(site)
    if with_proposals:
        seed_demo_proposals(login.username for login in site.logins)
        seed_preferences()
        seed_awards()
        seed_records()
    return site.logins
