"""Who may do what in badges: learners join and submit their own evidence, program evaluators (or,
where the profile awards centrally, the office's staff) evaluate and award, and the office's staff
revoke, retry Credly and change expiries. One helper per question, asked by the services, the
views, the home cards and the transitions alike; each takes the person first."""

from proposals.models import UnitRole
from proposals.policy import State, active_profile
from review import permissions as review_permissions

from .models import Learner


def evaluates_centrally():
    """Whether the active profile has the office evaluate and award (FIU) rather than the program
    evaluators of the proposing unit (Binghamton)."""
    return bool(active_profile().awarded_centrally)


# --- learners -------------------------------------------------------------------------------------


def learner_of(user):
    return Learner.objects.filter(user=user).first() if user.is_authenticated else None


def email_verified(user):
    """Whether the person has verified their email address (django-allauth keeps the record)."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def is_learner_of(user, held):
    """Whether ``held`` (an enrolment or an award) is this person's own."""
    return user.is_authenticated and user.pk == held.learner_id


class Refusal:
    """Why a micro-credential takes no new learner: the rules of who may start one, which joining
    and awarding from a spreadsheet both apply (``admission``). Each caller words it for its reader."""

    RETIRED = "retired"
    NOT_PUBLISHED = "not published"
    NOT_YET_IN_EFFECT = "not yet in effect"
    STUDENTS_ONLY = "closed to non-matriculated learners"


def admission(achievement, *, enrolled):
    """Why ``achievement`` takes no new learner who is (``enrolled``) or is not an enrolled student,
    with a student ID, as a ``Refusal``; '' when it takes them. The micro-credential's own state comes
    first, so that ``enrolled=True`` asks about the micro-credential alone. Joining (``may_join``)
    and the preview of a spreadsheet of learners (``awarding.bulk``) both ask it."""
    proposal = achievement.proposal
    if proposal.state == State.RETIRED:
        return Refusal.RETIRED
    if proposal.state != State.PUBLISHED:
        return Refusal.NOT_PUBLISHED
    if proposal.awaits_effective_date:
        return Refusal.NOT_YET_IN_EFFECT
    if not enrolled and not proposal.open_to_non_matriculated:
        return Refusal.STUDENTS_ONLY
    return ""


def may_join(user, achievement):
    """(whether this person may join, why not). Enrolled students join with their account; others
    join once their email is verified, and only where the proposal admits non-matriculated learners."""
    if not user.is_authenticated:
        return False, "Log in or register to join."
    learner = learner_of(user)
    refusal = admission(achievement, enrolled=learner is not None and learner.is_enrolled_student)
    if refusal in (Refusal.RETIRED, Refusal.NOT_PUBLISHED):
        return False, "This micro-credential is not open to new learners."
    if refusal == Refusal.NOT_YET_IN_EFFECT:
        return False, (
            f"This revised micro-credential opens to new learners on "
            f"{achievement.proposal.effective_from:%-d %B %Y}; until then, join the current one."
        )
    if learner is None:
        return False, "Only learners join micro-credentials: register as a learner first."
    if refusal == Refusal.STUDENTS_ONLY:
        return False, (
            "This micro-credential is open to enrolled students only. If you are one, ask the registrar "
            "to record your student ID on your account."
        )
    if not learner.is_enrolled_student and not email_verified(user):
        return False, "Verify your email address first: follow the link we emailed you."
    return True, ""


# --- evaluators -----------------------------------------------------------------------------------


def has_evaluation_queue(user_roles):
    """Whether a person with these roles (``review.permissions.roles_of``) evaluates any evidence."""
    return user_roles.is_program_evaluator or (user_roles.is_office_staff and evaluates_centrally())


def may_evaluate(user, enrolment):
    """The program evaluators of the proposing unit (or, where the profile awards centrally, the
    office's staff) evaluate evidence; nobody evaluates their own."""
    if not user.is_authenticated or user.pk == enrolment.learner_id:
        return False
    if evaluates_centrally():
        return review_permissions.is_office_staff(user)
    unit_id = enrolment.achievement.proposal.unit_id
    return UnitRole.objects.filter(user=user, unit_id=unit_id, role=UnitRole.Role.PROGRAM_EVALUATOR).exists()


def may_see_evidence(user, evidence):
    """The learner who submitted it, and whoever may evaluate it."""
    return is_learner_of(user, evidence.enrolment) or may_evaluate(user, evidence.enrolment)


# --- awarding -------------------------------------------------------------------------------------


def may_award(user, achievement):
    """The program evaluators of the proposing unit, or the office's staff where the profile awards
    centrally, award a published micro-credential."""
    if not user.is_authenticated or achievement.proposal.state != State.PUBLISHED:
        return False
    if evaluates_centrally():
        return review_permissions.is_office_staff(user)
    return any(
        unit.pk == achievement.proposal.unit_id for unit in review_permissions.roles_of(user).evaluator_units
    )


def may_see_upload(user, bulk):
    """An upload of learners is seen by those who may award its micro-credential."""
    return may_award(user, bulk.achievement)


# --- the office -----------------------------------------------------------------------------------


def is_awarding_office(user):
    return user.is_authenticated and review_permissions.is_office_staff(user)


def may_change_expiry(user):
    """The awarding office's staff change when an achievement's awards expire."""
    return is_awarding_office(user)


def may_see_holders(user, achievement):
    """Who holds a micro-credential: the awarding office's staff, and whoever awards it (the
    proposing unit's evaluators)."""
    return is_awarding_office(user) or may_award(user, achievement)


def may_revoke(user, award):
    """Staff of the awarding office revoke, never an award of their own."""
    return is_awarding_office(user) and award.learner_id != user.pk


def may_retry_in_credly(user, award):
    """The people who revoke an award also retry its Credly badge."""
    return may_revoke(user, award)
