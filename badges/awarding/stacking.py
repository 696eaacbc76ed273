"""Micro-certificates that stack: a micro-certificate is a collection of related micro-credentials
(its proposal names them as components). A learner who holds every component, none revoked or
expired, is awarded the micro-certificate automatically, exactly once, with the components as its
evidence. Revoking a component does not revoke the certificate: the office's staff see that it no
longer holds and decide.

Exactly once, also when two components are accepted at the same moment: the check runs when a
component's credential is issued, in that transaction, after the component awards themselves have
committed (issuing follows the award's commit). Of two components issued concurrently, the later
one sees the other's award; if both see each other, the database's one-award-per-learner rule lets
one certificate through.
"""

from django.db.models import Q
from django.utils import timezone

from proposals.choices import Form
from proposals.models import Proposal
from proposals.policy import State
from review import selectors
from review.services import notify

from ..models import Award
from ..selectors import current_achievement

HELD = (Award.State.PENDING, Award.State.ISSUED)


def _held(queryset, now):
    return queryset.filter(state__in=HELD).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))


def _revisions_of(component_ids):
    """{proposal id: the component it stands for}: each component and every revision of it, so
    that a learner who earned a component's published revision holds the component (one query per
    generation of revisions; usually one)."""
    stands_for = {pk: pk for pk in component_ids}
    generation = list(component_ids)
    while generation:
        found = list(
            Proposal.objects.filter(revision_of_id__in=generation).values_list("pk", "revision_of_id")
        )
        generation = [pk for pk, parent in found if pk not in stands_for]
        stands_for.update((pk, stands_for[parent]) for pk, parent in found if pk in generation)
    return stands_for


def held_components(learner_id, certificate_proposal, now=None):
    """{component proposal id: the learner's award of it} for the components the learner holds (an
    award of a component's revision holds it too)."""
    now = now or timezone.now()
    component_ids = list(certificate_proposal.components.values_list("pk", flat=True))
    stands_for = _revisions_of(component_ids)
    held = {}
    for found in _held(
        Award.objects.filter(learner_id=learner_id, achievement__proposal_id__in=list(stands_for)), now
    ).select_related("achievement"):
        held.setdefault(stands_for[found.achievement.proposal_id], found)
    return component_ids, held


def _revised(proposal):
    """The proposal and every micro-credential it is a revision of, newest first."""
    chain, seen = [proposal], {proposal.pk}
    while chain[-1].revision_of_id is not None and chain[-1].revision_of_id not in seen:
        chain.append(chain[-1].revision_of)
        seen.add(chain[-1].pk)
    return chain


def award_completed_certificates(component_award):
    """After ``component_award`` is issued: award each published micro-certificate it belongs to
    whose every component the learner now holds. Returns the certificate awards made. One query
    when the achievement is part of no certificate (with its proposal loaded with the award)."""
    from ..issuing import services

    made = []
    # A certificate built on a micro-credential counts the micro-credential's revisions too. Most
    # achievements are part of no certificate: one query on the link table says so, and ends here.
    containing = list(
        Proposal.components.through.objects.filter(
            to_proposal__in=[p.pk for p in _revised(component_award.achievement.proposal)]
        ).values_list("from_proposal_id", flat=True)
    )
    if not containing:
        return made
    certificates = Proposal.objects.filter(
        pk__in=containing, state=State.PUBLISHED, form=Form.MICRO_CERTIFICATE
    )
    for certificate in certificates:
        achievement = current_achievement(certificate)
        if achievement is None:
            continue
        if Award.objects.filter(
            learner_id=component_award.learner_id, achievement__proposal=certificate
        ).exists():
            continue
        component_ids, held = held_components(component_award.learner_id, certificate)
        if not component_ids or set(component_ids) - set(held):
            continue
        names = ", ".join(sorted(found.achievement.name for found in held.values()))
        made.append(
            services.award(
                learner=component_award.learner,
                achievement=achievement,
                narrative=f"Holds every component micro-credential: {names}.",
                evidence_public=True,
                listed=component_award.listed,
                source=Award.Source.STACKED,
            )
        )
    return made


def components_of(certificate_award):
    """The learner's awards of the certificate's components (for its credential's evidence)."""
    component_ids, held = held_components(
        certificate_award.learner_id, certificate_award.achievement.proposal
    )
    return [held[pk] for pk in component_ids if pk in held]


def missing_components(certificate_award, now=None):
    """The certificate's components the learner no longer holds (revoked, expired or never held):
    [(component proposal, the learner's award of it or None)]."""
    proposal = certificate_award.achievement.proposal
    if proposal.form != Form.MICRO_CERTIFICATE:
        return []
    component_ids, held = held_components(certificate_award.learner_id, proposal, now)
    missing = [pk for pk in component_ids if pk not in held]
    if not missing:
        return []
    awards = {
        found.achievement.proposal_id: found
        for found in Award.objects.filter(
            learner_id=certificate_award.learner_id, achievement__proposal_id__in=missing
        ).select_related("achievement__proposal")
    }
    parts = {part.pk: part for part in proposal.components.filter(pk__in=missing)}
    return [(parts[pk], awards.get(pk)) for pk in missing if pk in parts]


def certificates_no_longer_held(now=None):
    """Issued micro-certificate awards some of whose components the learner no longer holds, for
    the office's staff to decide on: [(certificate award, [(component, award or None)])]. Five
    queries however many there are."""
    now = now or timezone.now()
    pairs = set(
        Award.objects.filter(
            Q(state=Award.State.REVOKED) | Q(valid_until__lte=now),
            achievement__proposal__part_of__isnull=False,
        ).values_list("learner_id", "achievement__proposal__part_of")
    )
    if not pairs:
        return []
    query = Q()
    for learner_id, certificate_id in pairs:
        query |= Q(learner_id=learner_id, achievement__proposal_id=certificate_id)
    certificates = list(
        Award.objects.filter(query, state=Award.State.ISSUED)
        .select_related("learner__learner", "achievement__proposal")
        .order_by("-created_at")
    )
    links = Proposal.components.through.objects.filter(
        from_proposal_id__in={c.achievement.proposal_id for c in certificates}
    ).select_related("to_proposal")
    components = {}
    for link in links:
        components.setdefault(link.from_proposal_id, []).append(link.to_proposal)
    awards = {}
    for found in Award.objects.filter(
        learner_id__in={c.learner_id for c in certificates},
        achievement__proposal_id__in={part.pk for parts in components.values() for part in parts},
    ).select_related("achievement"):
        key = (found.learner_id, found.achievement.proposal_id)
        # The one that holds wins over an older revoked or expired one.
        if key not in awards or _holds(found, now):
            awards[key] = found
    lapsed = []
    for certificate in certificates:
        missing = [
            (part, awards.get((certificate.learner_id, part.pk)))
            for part in components.get(certificate.achievement.proposal_id, [])
            if not _holds(awards.get((certificate.learner_id, part.pk)), now)
        ]
        if missing:
            lapsed.append((certificate, missing))
    return lapsed


def _holds(found, now):
    return (
        found is not None and found.state in HELD and (found.valid_until is None or found.valid_until > now)
    )


def component_revoked(component_award):
    """Tell the office's staff when a revoked award was a component of a certificate the learner
    holds: the certificate stays as it is until they decide."""
    certificates = Award.objects.filter(
        learner_id=component_award.learner_id,
        state=Award.State.ISSUED,
        achievement__proposal__in=component_award.achievement.proposal.part_of.all(),
    ).select_related("achievement")
    staff = list(selectors.office_staff())
    for certificate in certificates:
        notify(
            recipients=staff,
            subject=f"A component of “{certificate.achievement.name}” was revoked",
            body=(
                f"“{component_award.achievement.name}” was revoked for {certificate.learner.get_full_name() or certificate.learner}. "
                f"Their micro-certificate “{certificate.achievement.name}” no longer holds; it stays valid until "
                "you decide: revoke it from its page, or leave it."
            ),
            url=certificate.get_absolute_url(),
            key=f"certificate-lapsed:{certificate.pk}:{component_award.pk}",
        )
