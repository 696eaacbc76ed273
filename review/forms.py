from django import forms

from core.fields import SafeModelChoiceField, safe_formfield
from proposals.models import Proposal

from .models import Meeting, NotificationPreference, Vote


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("return", "Return for revision"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision: approve, return for revision or reject."},
    )
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Required to return or reject: the authors read it.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in ("return", "reject") and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "Say why: a comment is required to return or reject a proposal.")
        return cleaned


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label="Your vote", choices=Vote.Choice.choices, widget=forms.RadioSelect)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class CloseVoteForm(forms.Form):
    meeting = SafeModelChoiceField(
        queryset=Meeting.objects.none(),
        required=False,
        help_text="The meeting at which the vote was taken, if any.",
    )
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        label="Comment for the authors",
    )

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = Meeting.objects.filter(pk__in=[m.pk for m in meetings])


class InternalNoteForm(forms.Form):
    text = forms.CharField(
        label="Internal note",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text="Seen by the members of this body only.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class RetireForm(ReasonForm):
    confirm_dependents = forms.BooleanField(
        required=False, label="Retire it although published micro-certificates depend on it"
    )


class FeeSignoffForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "location", "notes"]
        widgets = {
            "date": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        formfield_callback = safe_formfield


class AgendaAddForm(forms.Form):
    proposal = SafeModelChoiceField(queryset=Proposal.objects.none(), label="Proposal to add")

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["proposal"].queryset = candidates


class CompleteConsultationForm(forms.Form):
    rigor = forms.CharField(
        label="Level of rigor agreed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was agreed with the authors about the level of rigor, e.g. the level of the "
        "assessments and how evidence is judged.",
        error_messages={"required": "Record the level of rigor agreed with the authors."},
    )


class MoveToProfileForm(forms.Form):
    comment = forms.CharField(
        label="Why it moves to the active profile",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in its history. It starts the active profile's route at its first stage; "
        "no approval given under its earlier profile counts.",
        error_messages={"required": "Say why: the decision to move a proposal is recorded with its reason."},
    )


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label="Send my emails",
        choices=NotificationPreference.Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you want your emails: immediately, a daily digest or a weekly digest.",
            "invalid_choice": "Choose one of the three: immediately, a daily digest or a weekly digest.",
        },
    )
