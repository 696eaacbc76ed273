"""The proposal's forms, one group per section of the authoring pages."""

from dataclasses import dataclass, field

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.functional import cached_property

from core import roles
from core.fields import SafeModelChoiceField, SafeModelMultipleChoiceField, safe_formfield

from .models import (
    Activity,
    Assessment,
    Attachment,
    Competency,
    Course,
    Experience,
    LearningOutcome,
    Proposal,
    Unit,
)
from .policy import State

TEXTAREA = {"rows": 3}
# The most rows a repeating part (courses, outcomes …) takes in one save. Far beyond any proposal,
# it bounds the forms a posted TOTAL_FORMS makes the page build: 99999 took 13 seconds to refuse.
MAX_ROWS = 50
ROW_LIMITS = {"max_num": MAX_ROWS, "absolute_max": MAX_ROWS, "validate_max": True}


class PersonChoiceField(SafeModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class NewProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["title", "kind", "form", "level", "unit"]
        widgets = {"kind": forms.RadioSelect, "form": forms.RadioSelect}
        formfield_callback = safe_formfield

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True)
        faculty_units = [r.unit_id for r in user.unit_roles.all()] if user else []
        if faculty_units and not self.is_bound:
            self.initial.setdefault("unit", faculty_units[0])


class BasicsForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["title", "code", "kind", "form", "level", "unit", "co_sponsors", "co_authors", "summary"]
        widgets = {
            "kind": forms.RadioSelect,
            "form": forms.RadioSelect,
            "co_sponsors": forms.CheckboxSelectMultiple,
            "co_authors": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs=TEXTAREA),
        }
        field_classes = {"co_authors": PersonChoiceField}
        formfield_callback = safe_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True)
        self.fields["unit"].queryset = units
        self.fields["co_sponsors"].queryset = units.exclude(pk=self.instance.unit_id)
        self.fields["co_sponsors"].help_text = "Other units sponsoring an interdisciplinary micro-credential."
        self.fields["co_authors"].queryset = (
            get_user_model()
            .objects.filter(groups__name=roles.FACULTY, is_active=True)
            .exclude(pk=self.instance.lead_author_id)
            .order_by("last_name", "first_name")
        )
        self.fields["co_authors"].help_text = "Co-authors may edit the draft and submit it."
        self.fields["co_authors"].label = "Co-authors"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unit") and cleaned.get("unit") in (cleaned.get("co_sponsors") or []):
            self.add_error("co_sponsors", "The originating unit cannot also be a co-sponsor.")
        return cleaned


class PurposeForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = [
            "purpose",
            "target_learners",
            "open_to_non_matriculated",
            "non_matriculated_terms",
            "employer_evidence",
        ]
        widgets = {
            name: forms.Textarea(attrs=TEXTAREA)
            for name in ["purpose", "target_learners", "non_matriculated_terms", "employer_evidence"]
        }


class CreditsForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["total_credits", "fewer_courses_justification", "requires_new_program"]
        widgets = {"fewer_courses_justification": forms.Textarea(attrs=TEXTAREA)}

    def clean_total_credits(self):
        value = self.cleaned_data.get("total_credits")
        if value is not None and value < 0:
            raise forms.ValidationError("Credits cannot be negative.")
        return value


class CompetenciesForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["competencies"]
        widgets = {"competencies": forms.CheckboxSelectMultiple}
        labels = {"competencies": "NACE career-readiness competencies"}
        formfield_callback = safe_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competencies"].queryset = Competency.objects.select_related("framework")
        self.fields["competencies"].help_text = (
            "Choose every competency the micro-credential as a whole develops. Each outcome below is tied "
            "to its own competencies as well."
        )


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["evidence_submission", "evidence_evaluators", "evidence_criteria", "reflective_experience"]
        widgets = {name: forms.Textarea(attrs=TEXTAREA) for name in fields}


class FeesForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["fee_amount", "fee_notes"]
        widgets = {"fee_notes": forms.Textarea(attrs=TEXTAREA)}
        labels = {"fee_amount": "Fee (US dollars)"}

    def clean_fee_amount(self):
        value = self.cleaned_data.get("fee_amount")
        if value is not None and value < 0:
            raise forms.ValidationError("A fee cannot be negative.")
        return value


class ImplementationForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = [
            "advising_plan",
            "progress_tracking_plan",
            "instructor_qualification_plan",
            "stacks_into",
            "stacks_for_credit",
            "theme",
            "components",
        ]
        widgets = {
            **{
                name: forms.Textarea(attrs=TEXTAREA)
                for name in [
                    "advising_plan",
                    "progress_tracking_plan",
                    "instructor_qualification_plan",
                    "stacks_into",
                ]
            },
            "components": forms.CheckboxSelectMultiple,
        }
        formfield_callback = safe_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A micro-certificate collects other micro-credentials that learners can already earn.
        self.fields["components"].queryset = Proposal.objects.filter(state=State.PUBLISHED).exclude(
            pk=self.instance.pk
        )
        self.fields[
            "components"
        ].help_text = "For a micro-certificate: the published micro-credentials it collects (at least two)."


class PartForm(forms.ModelForm):
    """A row of a repeating part. Rows left entirely blank are ignored, not errors."""

    use_required_attribute = False


class PartFormSet(BaseInlineFormSet):
    """The rows of a repeating part. A posted row id, too, must be ASCII digits in range (see
    ``fields``): Django's own id field read "²" as row 2."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row_id = form.fields[self._pk_field.name]
        form.fields[self._pk_field.name] = SafeModelChoiceField(
            row_id.queryset, initial=row_id.initial, required=False, widget=row_id.widget
        )


def part_formset(model, fields, widgets=None, labels=None):
    return inlineformset_factory(
        Proposal,
        model,
        form=PartForm,
        formset=PartFormSet,
        fields=fields,
        extra=1,
        can_delete=True,
        widgets=widgets or {},
        labels=labels or {},
        **ROW_LIMITS,
    )


CourseFormSet = part_formset(
    Course, ["subject", "number", "title", "credits", "is_new"], labels={"is_new": "New course"}
)
ExperienceFormSet = part_formset(
    Experience, ["title", "description"], widgets={"description": forms.Textarea(attrs={"rows": 2})}
)
ActivityFormSet = part_formset(
    Activity, ["title", "description"], widgets={"description": forms.Textarea(attrs={"rows": 2})}
)
AssessmentFormSet = part_formset(
    Assessment, ["title", "description"], widgets={"description": forms.Textarea(attrs={"rows": 2})}
)


class OutcomeForm(PartForm):
    class Meta:
        model = LearningOutcome
        fields = ["kind", "text", "competencies"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "competencies": forms.CheckboxSelectMultiple}
        labels = {"text": "Outcome", "competencies": "Competencies it develops"}
        formfield_callback = safe_formfield


class BaseOutcomeFormSet(PartFormSet):
    """Outcome rows share one list of competency choices and read their links from one prefetch,
    so the page costs the same number of queries for one outcome or fifty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", LearningOutcome.objects.prefetch_related("competencies"))
        super().__init__(*args, **kwargs)

    @cached_property
    def competency_choices(self):
        return list(self.form.base_fields["competencies"].choices)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields["competencies"].choices = self.competency_choices
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields["competencies"].choices = self.competency_choices
        return form


OutcomeFormSet = inlineformset_factory(
    Proposal,
    LearningOutcome,
    form=OutcomeForm,
    formset=BaseOutcomeFormSet,
    extra=1,
    can_delete=True,
    **ROW_LIMITS,
)


class AlignmentForm(forms.Form):
    """The alignment matrix: a checkbox for every (outcome, activity) and (outcome, assessment)."""

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.outcomes = list(proposal.outcomes.all())
        self.activities = list(proposal.activities.all())
        self.assessments = list(proposal.assessments.all())
        self.rows = []
        for number, outcome in enumerate(self.outcomes, start=1):
            linked_activities = {a.pk for a in outcome.activities.all()}
            linked_assessments = {a.pk for a in outcome.assessments.all()}
            cells = []
            for kind, items, linked in (
                ("act", self.activities, linked_activities),
                ("asm", self.assessments, linked_assessments),
            ):
                for item in items:
                    name = f"{kind}_{outcome.pk}_{item.pk}"
                    self.fields[name] = forms.BooleanField(
                        required=False,
                        initial=item.pk in linked,
                        label=f"Outcome {number} – {item.title}",
                    )
                    cells.append(name)
            self.rows.append((number, outcome, [self[name] for name in cells]))

    def save(self):
        for outcome in self.outcomes:
            outcome.activities.set(
                [a for a in self.activities if self.cleaned_data.get(f"act_{outcome.pk}_{a.pk}")]
            )
            outcome.assessments.set(
                [a for a in self.assessments if self.cleaned_data.get(f"asm_{outcome.pk}_{a.pk}")]
            )


class AttachmentForm(forms.Form):
    file = forms.FileField(help_text="PDF, Word (DOCX), Excel (XLSX), PNG or JPEG, at most 10 MB.")
    purpose = forms.ChoiceField(choices=Attachment.Purpose.choices, initial=Attachment.Purpose.SUPPORTING)


class RevisionForm(forms.Form):
    effective_from = forms.DateField(
        label="Effective date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="From this date the revision replaces the published micro-credential, once it is "
        "approved and published (at once, if the date has passed by then). Until then the published "
        "one stays open to learners.",
    )

    def clean_effective_from(self):
        from .services import check_effective_date

        try:
            return check_effective_date(self.cleaned_data["effective_from"])
        except ValidationError as refused:
            raise ValidationError(refused.message_dict["effective_from"]) from refused


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ConsultationForm(forms.Form):
    message = forms.CharField(
        label="What would you like advice on?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


# --- sections -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    # (prefix, form class) pairs shown on the section's page, in order
    forms: tuple = field(default_factory=tuple)
    intro: str = ""


SECTIONS = [
    Section(
        "basics",
        "Basics",
        (("basics", BasicsForm),),
        "What the micro-credential is, who proposes it and which units sponsor it.",
    ),
    Section(
        "purpose",
        "Purpose and learners",
        (("purpose", PurposeForm),),
        "Why it matters, for whom, and the evidence that employers value it.",
    ),
    Section(
        "courses",
        "Courses and experiences",
        (("credits", CreditsForm), ("courses", CourseFormSet), ("experiences", ExperienceFormSet)),
        "Credit-bearing micro-credentials list their courses; any micro-credential may require "
        "other experiences.",
    ),
    Section(
        "outcomes",
        "Competencies and outcomes",
        (("competencies", CompetenciesForm), ("outcomes", OutcomeFormSet)),
        "The NACE competencies it develops and the learning outcomes that show them.",
    ),
    Section(
        "activities",
        "Activities and assessments",
        (("activities", ActivityFormSet), ("assessments", AssessmentFormSet)),
        "How learners learn, and how their learning is assessed.",
    ),
    Section(
        "alignment",
        "Alignment matrix",
        (("alignment", AlignmentForm),),
        "Link every outcome to the activities that teach it and the assessments that measure it.",
    ),
    Section(
        "evidence",
        "Badge evidence and reflection",
        (("evidence", EvidenceForm),),
        "The plan for assessing the learning evidence for the badge, and the reflective experience.",
    ),
    Section(
        "fees",
        "Fees",
        (("fees", FeesForm),),
        "Fees learners pay beyond tuition (credit-bearing) or for the micro-credential (non-credit).",
    ),
    Section(
        "implementation",
        "Implementation and stacking",
        (("implementation", ImplementationForm),),
        "Advising, progress tracking, instructors, and what it stacks into.",
    ),
    Section("attachments", "Attachments", (), "Supporting documents, such as letters from employers."),
]
SECTIONS_BY_SLUG = {s.slug: s for s in SECTIONS}
