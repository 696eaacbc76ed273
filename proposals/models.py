import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from core.models import AppendOnly

from . import choices
from .policy import (
    State,
    active_key,
    check_proposal,
    fee_review_valid,
    needs_fee_review,
    next_state,
    passed_stages,
    profile_key_of,
    profile_of,
    proposal_profile_choices,
    resume_at,
    route,
    route_keys,
    state_choices,
)


class UnitQuerySet(models.QuerySet):
    def subtree_ids(self, unit_ids):
        """The given units and every unit below them (one query: the hierarchy is small)."""
        children = {}
        for pk, parent_id in Unit.objects.values_list("id", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, stack = set(), list(unit_ids)
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(children.get(pk, []))
        return found


class Unit(models.Model):
    """An organisational unit: the university, its schools and colleges, departments and centres."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", "University"
        SCHOOL = "school", "School / college"
        DEPARTMENT = "department", "Department"
        CENTRE = "centre", "Centre / institute"
        OFFICE = "office", "Administrative office"

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=40, unique=True, help_text="Short code, e.g. 'cs' or 'harpur'.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="unit_not_its_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def ancestors(self):
        """This unit's parents, nearest first (one query per level; hierarchies are shallow)."""
        chain, seen, unit = [], {self.pk}, self.parent
        while unit is not None and unit.pk not in seen:
            chain.append(unit)
            seen.add(unit.pk)
            unit = unit.parent
        return chain

    def lineage_ids(self):
        """The ids of this unit and every unit above it."""
        return [self.pk, *(u.pk for u in self.ancestors())]


class UnitRole(models.Model):
    """A person's standing in a unit: a faculty member of it, or its program evaluator."""

    class Role(models.TextChoices):
        FACULTY = "faculty", "Faculty member"
        PROGRAM_EVALUATOR = "program_evaluator", "Program evaluator"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_roles")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        ordering = ["unit__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "user", "role"], name="unique_unit_role"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.unit}"


class CompetencyFramework(models.Model):
    """A competency framework; NACE's career-readiness competencies are seeded, others may be added."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Competency(models.Model):
    framework = models.ForeignKey(CompetencyFramework, on_delete=models.PROTECT, related_name="competencies")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    definition = models.TextField()
    url = models.URLField(help_text="Public page with the competency's definition.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework__name", "position", "name"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["framework", "slug"], name="unique_competency_per_framework"),
        ]

    def __str__(self):
        return self.name


class ProposalQuerySet(models.QuerySet):
    def in_force(self):
        """Published micro-credentials open to learners: a published revision waits while the one it
        revises is still published (until its effective date), so exactly one of the two is offered."""
        return self.filter(state=State.PUBLISHED).exclude(revision_of__state=State.PUBLISHED)


class Proposal(ConcurrentTransitionMixin, models.Model):
    """A micro-credential proposal: everything both policies ask a proposer to say.

    Fields are optional in the database so that a draft can be saved at any point; the rules a
    proposal must meet to be submitted live in the policy profiles (``proposals.policy``). The ``state`` field is the
    approval workflow's, and only its transitions change it.
    """

    Kind = choices.Kind
    Form = choices.Form
    Level = choices.Level

    state = FSMField(default=State.DRAFT, choices=state_choices, protected=True, db_index=True)
    # The stage that returned a proposal for revision: resubmission resumes there when it still can.
    returned_from = models.CharField(max_length=30, blank=True, choices=state_choices)
    # The policy profile it was submitted under: it keeps that profile's route, and its bodies act
    # on it, until publication, whatever MICROCRED_POLICY says later. Blank for a draft never
    # submitted; every submission takes the active profile (``policy.resume_at``).
    profile = models.CharField(
        "policy profile", max_length=20, blank=True, choices=proposal_profile_choices, db_index=True
    )

    # Basics
    title = models.CharField(max_length=200)
    code = models.CharField(max_length=30, blank=True, help_text="Short catalogue code, e.g. MC-DATA-101.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NON_CREDIT)
    form = models.CharField(max_length=30, choices=Form.choices, default=Form.DIGITAL_BADGE)
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.UNDERGRADUATE)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="proposals", verbose_name="originating unit"
    )
    co_sponsors = models.ManyToManyField(
        Unit, blank=True, related_name="co_sponsored_proposals", verbose_name="co-sponsoring units"
    )
    lead_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_proposals"
    )
    co_authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_authored_proposals"
    )
    summary = models.TextField(blank=True)

    # Purpose and learners
    purpose = models.TextField("purpose and benefit", blank=True)
    target_learners = models.TextField(blank=True)
    open_to_non_matriculated = models.BooleanField(
        "open to non-matriculated / non-enrolled learners", default=False
    )
    non_matriculated_terms = models.TextField(
        "terms for non-matriculated learners",
        blank=True,
        help_text="How non-matriculated or non-enrolled learners join, under the originating unit's policies.",
    )
    employer_evidence = models.TextField("evidence of importance to employers", blank=True)

    # Courses and experiences
    total_credits = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    fewer_courses_justification = models.TextField("justification for fewer than two courses", blank=True)
    requires_new_program = models.BooleanField(
        "needs a new program or program change",
        default=False,
        help_text="Tick if the micro-credential relies on a program that does not exist yet.",
    )

    # Competencies
    competencies = models.ManyToManyField(Competency, blank=True, related_name="proposals")

    # Badge evidence and reflection
    evidence_submission = models.TextField("what learners submit as evidence", blank=True)
    evidence_evaluators = models.TextField("who evaluates the evidence", blank=True)
    evidence_criteria = models.TextField("criteria for accepting the evidence", blank=True)
    reflective_experience = models.TextField("culminating reflective experience", blank=True)

    # Fees
    fee_amount = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Credit-bearing: additional fees beyond tuition (blank or 0 for none). "
        "Non-credit: the fee learners pay (0 is a valid statement).",
    )
    fee_notes = models.TextField(blank=True)

    # Implementation and stacking
    advising_plan = models.TextField("who advises learners", blank=True)
    progress_tracking_plan = models.TextField("how progress is tracked", blank=True)
    instructor_qualification_plan = models.TextField("how instructors are qualified", blank=True)
    stacks_into = models.TextField(
        "stacks into", blank=True, help_text="The larger credential, certificate or degree it stacks into."
    )
    components = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="part_of",
        help_text="For a micro-certificate: the published micro-credentials it is made of.",
    )
    theme = models.CharField(
        "theme or meta-competency",
        max_length=200,
        blank=True,
        help_text="For a micro-certificate: the theme or meta-competency that relates its components.",
    )
    stacks_for_credit = models.BooleanField(
        "designed to be stacked together to award academic credit",
        default=False,
        help_text="Tick if learners stack this with other micro-credentials to earn academic credit.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    stage_entered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    fee_review_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fee_review_signed_at = models.DateTimeField(null=True, blank=True)
    # What the fee sign-off approved: it holds only while the proposal states these same fees.
    fee_review_amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    fee_review_notes = models.TextField(blank=True)

    # A revision of a published micro-credential: a new proposal that goes through the route again
    # while the published one stays available; once published, it replaces the published one from
    # its effective date (``review.services.supersede_due``).
    revision_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        help_text="The published micro-credential this proposal revises.",
    )
    effective_from = models.DateField(
        "effective date",
        null=True,
        blank=True,
        help_text="From this date the revision replaces the published micro-credential, once it is "
        "approved and published.",
    )
    revision_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # {part name: {id of the published one's part: id of the revision's copy}}: lets the diff against
    # the published content say "changed" for an edited part instead of "removed" and "added".
    revision_part_ids = models.JSONField(default=dict, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(revision_of=models.F("id")), name="proposal_not_its_own_revision"
            ),
            models.CheckConstraint(
                condition=models.Q(revision_of__isnull=True) | models.Q(effective_from__isnull=False),
                name="revision_has_effective_date",
            ),
            # One revision at a time: a revision ends only when it is rejected or withdrawn (or, once
            # it has replaced the published one, retired); until then no second one may start.
            models.UniqueConstraint(
                fields=["revision_of"],
                condition=models.Q(revision_of__isnull=False) & ~models.Q(state__in=State.REVISION_ENDED),
                name="one_open_revision_per_micro_credential",
                violation_error_message="A revision of this micro-credential is already under way: "
                "only one may be open at a time.",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "state"]),
            # The lists order by last change (search, "my proposals"), and by waiting time within
            # the states a queue asks for; a state filter with either order reads one index range.
            # Keys first: (updated_at, id, state) answers a deep page of the search (its keys in
            # order, and the state its filter needs) from the index alone, without the table.
            models.Index(fields=["-updated_at", "id", "state"], name="proposal_recent_first"),
            models.Index(fields=["state", "updated_at"]),
            models.Index(fields=["state", "stage_entered_at"]),
        ]

    def __str__(self):
        return f"{self.code} {self.title}".strip() if self.code else self.title

    def get_absolute_url(self):
        return reverse("proposals:detail", args=[self.pk])

    # --- workflow ---------------------------------------------------------------------------------
    # One transition per verb. Each declares its sources, its target, its conditions and who may
    # fire it; services (``review.services``) call them, never views, and panels ask the same
    # transitions what a reader may do. The review stages come from the policy profiles, so the
    # transitions that act at a stage take any source and check "at a review stage" as a condition.
    # Who may act at a review stage is the review app's knowledge: ``permissions.may`` asks it.

    def submission_problems(self):
        """The rules' verdict on this loaded instance, computed once: the submit service, the
        transition's condition and the refusal message all read it."""
        if "_submission_problems" not in self.__dict__:
            self.__dict__["_submission_problems"] = check_proposal(self)
        return self.__dict__["_submission_problems"]

    def _passes_rules(self):
        return not self.submission_problems()

    def component_problems(self):
        """A micro-certificate's components asked again at each approval and at publication: a
        component retired since submission (and not replaced by a published revision) would make a
        micro-certificate nobody can complete."""
        return check_proposal(self, only={"components"})

    def _components_available(self):
        return not self.component_problems()

    def _at_review_stage(self):
        return self.state in State.REVIEW_STAGES

    def _on_route(self):
        """Approval needs somewhere to go: a state outside the proposal's route is refused."""
        return next_state(self) is not None

    def skipped_stages(self):
        """Stages the route requires before the current one that have not approved it on this
        route: approval is refused while there are any, whatever edits happened behind the
        workflow's back."""
        from .extensions import stage_approvals

        stages = route(self)
        states = [s.state for s in stages]
        if self.state not in states:
            return []
        earlier = stages[: states.index(self.state)]
        if not earlier:
            return []
        # Read once per loaded instance: a page and a transition ask several times.
        if "_stage_approvals" not in self.__dict__:
            self.__dict__["_stage_approvals"] = stage_approvals(self)
        passed = passed_stages(
            route_keys(self, stages), self.__dict__["_stage_approvals"], profile_key=profile_key_of(self)
        )
        return [s for s in earlier if s.state not in passed]

    def _no_stage_skipped(self):
        return not self.skipped_stages()

    def _fee_review_done_if_final(self):
        if next_state(self) != State.APPROVED or not needs_fee_review(self):
            return True
        return fee_review_valid(self)

    def _withdrawable(self):
        return self.state in State.WITHDRAWABLE

    def _by_author(self, user):
        from .permissions import is_author

        return is_author(user, self)

    def _by_stage_reviewer(self, user):
        from .permissions import may

        return may("act_at_stage", self, user)

    def _by_office(self, user):
        from .permissions import may

        return may("publish", self, user)

    def _in_flight_under_other_profile(self):
        return self.under_other_profile and self.state in (*State.REVIEW_STAGES, State.APPROVED)

    def _by_profile_mover(self, user):
        from .permissions import may

        return may("move_to_profile", self, user)

    def _enter(self, state):
        self.stage_entered_at = timezone.now()
        return state

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=RETURN_VALUE(),
        conditions=[_passes_rules],
        permission=_by_author,
    )
    def submit(self, *, by, approvals=()):
        """Draft → the first stage of its route; returned → where ``policy.resume_at`` says, given
        the stage approvals on record (``approvals``: (state, route keys, version) rows). The reason is
        kept in ``routed_because`` for the history. The proposal takes the active profile: a returned
        proposal reviewed under another one starts the active profile's route."""
        stage, self.routed_because = resume_at(self, approvals)
        self.profile = active_key()
        self.returned_from = ""
        self.submitted_at = timezone.now()
        return self._enter(stage.state)

    @transition(
        field=state,
        source="*",
        target=RETURN_VALUE(),
        conditions=[
            _at_review_stage,
            _on_route,
            _no_stage_skipped,
            _fee_review_done_if_final,
            _components_available,
        ],
        permission=_by_stage_reviewer,
    )
    def approve_stage(self, *, by):
        """The stage approves: on to the next stage of the route, or approved after the last."""
        return self._enter(next_state(self))

    @transition(
        field=state,
        source="*",
        target=RETURN_VALUE(),
        conditions=[_in_flight_under_other_profile],
        permission=_by_profile_mover,
    )
    def move_to_active_profile(self, *, by):
        """The office moves a proposal in review (or approved, not yet published) under another
        profile to the active one: it starts the active profile's route at its first stage, where
        no approval given under its earlier profile counts (``policy.passed_stages``)."""
        self.profile = active_key()
        self.returned_from = ""
        return self._enter(route(self)[0].state)

    @transition(
        field=state,
        source="*",
        target=State.RETURNED,
        conditions=[_at_review_stage],
        permission=_by_stage_reviewer,
    )
    def return_for_revision(self, *, by):
        """Back to the authors; resubmission resumes at this stage when it still can."""
        self.returned_from = self.state
        self._enter(State.RETURNED)

    @transition(
        field=state,
        source="*",
        target=State.REJECTED,
        conditions=[_at_review_stage],
        permission=_by_stage_reviewer,
    )
    def reject(self, *, by):
        self._enter(State.REJECTED)

    def _by_lead_author(self, user):
        return user.is_authenticated and user.pk == self.lead_author_id

    # Withdrawal ends the proposal for good, for every author: only the lead author, who answers for
    # it, may do it; a co-author may not end a colleague's work.
    @transition(
        field=state,
        source="*",
        target=State.WITHDRAWN,
        conditions=[_withdrawable],
        permission=_by_lead_author,
    )
    def withdraw(self, *, by):
        """The lead author may withdraw at any stage before approval."""
        self._enter(State.WITHDRAWN)

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.PUBLISHED,
        conditions=[_components_available],
        permission=_by_office,
    )
    def publish(self, *, by):
        self._enter(State.PUBLISHED)

    @transition(field=state, source=State.PUBLISHED, target=State.RETIRED, permission=_by_office)
    def retire(self, *, by):
        self._enter(State.RETIRED)

    def _revision_published(self):
        return self.revisions.filter(state=State.PUBLISHED).exists()

    # Superseding is not a person's decision but the consequence of one: the office published a
    # revision with an effective date, and from that date the revision takes over (no permission:
    # publishing or the daily job fires it, in the name of whoever published the revision; which
    # date has come is ``review.services.supersede_due``'s to say).
    @transition(field=state, source=State.PUBLISHED, target=State.RETIRED, conditions=[_revision_published])
    def supersede(self, *, by):
        """Replaced by its published revision from the revision's effective date: no new learners
        join it; enrolled learners finish it and are awarded it, and its awards stay valid."""
        self._enter(State.RETIRED)

    def route(self):
        return route(self)

    @property
    def policy_profile(self):
        """The policy profile it is reviewed under (``policy.profile_of``)."""
        return profile_of(self)

    @property
    def under_other_profile(self):
        """Submitted under a profile other than the active one (``MICROCRED_POLICY`` changed since)."""
        return bool(self.profile) and self.profile != active_key()

    @property
    def is_credit_bearing(self):
        return self.kind == self.Kind.CREDIT_BEARING

    @property
    def is_returned(self):
        return self.state == State.RETURNED

    @property
    def is_revision(self):
        return self.revision_of_id is not None

    @property
    def awaits_effective_date(self):
        """A published revision that has not replaced the published micro-credential yet."""
        return (
            self.state == State.PUBLISHED
            and self.revision_of_id is not None
            and self.revision_of.state == State.PUBLISHED
        )

    @property
    def is_editable(self):
        return self.state in State.EDITABLE

    @property
    def state_label(self):
        return State.label(self.state)


class ProposalPart(models.Model):
    """Common shape of the repeating parts of a proposal, kept in the order the author gives."""

    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Course(ProposalPart):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="courses")
    subject = models.CharField(max_length=10, help_text="e.g. CS")
    number = models.CharField(max_length=10, help_text="e.g. 480")
    title = models.CharField(max_length=200)
    credits = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"), "A course has at least 0.5 credits.")],
    )
    is_new = models.BooleanField("new course (needs curriculum approval)", default=False)

    class Meta(ProposalPart.Meta):
        pass

    def __str__(self):
        return f"{self.subject} {self.number} {self.title}"


class TitledPart(ProposalPart):
    """A part with a title and a description: experiences, activities, assessments."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta(ProposalPart.Meta):
        abstract = True

    def __str__(self):
        return self.title


class Experience(TitledPart):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="experiences")


class Activity(TitledPart):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="activities")

    class Meta(TitledPart.Meta):
        verbose_name_plural = "activities"


class Assessment(TitledPart):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assessments")


class LearningOutcome(ProposalPart):
    """A student learning outcome (SLO) or program outcome (PO), tied to competencies and aligned
    to the activities that teach it and the assessments that measure it."""

    Kind = choices.OutcomeKind

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=3, choices=Kind.choices, default=Kind.SLO)
    text = models.TextField()
    competencies = models.ManyToManyField(Competency, blank=True, related_name="outcomes")
    activities = models.ManyToManyField(Activity, blank=True, related_name="outcomes")
    assessments = models.ManyToManyField(Assessment, blank=True, related_name="outcomes")

    class Meta(ProposalPart.Meta):
        pass

    def __str__(self):
        return self.text[:80]


def attachment_path(instance, filename):
    # The stored name is random: the original (sanitised) name is kept on the row for downloads.
    return f"attachments/{instance.proposal_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    class Purpose(models.TextChoices):
        EMPLOYER_EVIDENCE = "employer_evidence", "Evidence of importance to employers"
        SUPPORTING = "supporting", "Supporting document"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    purpose = models.CharField(max_length=30, choices=Purpose.choices, default=Purpose.SUPPORTING)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class ProposalVersion(AppendOnly):
    """An immutable snapshot of a whole proposal, frozen at each submission."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="unique_version_number"),
        ]

    def __str__(self):
        return f"{self.proposal} v{self.number}"


class Consultation(models.Model):
    """A request from the authors for the office (Office of Micro-Credentials / ASA) to advise on a
    draft; while open, the office's staff may read the draft and comment on it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="consultations")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Completed by the office's staff, who record the level of rigor agreed with the authors
    # (FIU: "In consultation with Academic and Student Affairs, the appropriate level of rigor will
    # be determined").
    closed_at = models.DateTimeField("completed at", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rigor = models.TextField("level of rigor agreed", blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Consultation on {self.proposal}"

    @property
    def is_completed(self):
        return self.closed_at is not None and bool(self.rigor.strip())


class Comment(models.Model):
    """A comment on a proposal, visible to everyone who may read it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField("stage", max_length=30, choices=state_choices)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Comment by {self.author} on {self.proposal}"
