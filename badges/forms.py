from django import forms

from core.fields import storable_moment

from .expiry import end_of_day


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason for revoking",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the award is revoked."},
    )


class JoinForm(forms.Form):
    evidence_public = forms.BooleanField(
        label="Show my evidence narrative on the credential",
        required=False,
        help_text="Your evidence stays private unless you choose this.",
    )
    listed = forms.BooleanField(
        label="List my award publicly",
        required=False,
        help_text="Otherwise its public page is reachable only by the link you share.",
    )


class EvidenceForm(forms.Form):
    text = forms.CharField(
        label="Your evidence, in words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )
    link = forms.URLField(label="Or a link to it", required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(label="Or a file (PDF, DOCX, XLSX, PNG, JPEG)", required=False)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("text", "").strip() or cleaned.get("link") or cleaned.get("file")):
            raise forms.ValidationError("Give your evidence: write it, link to it or attach a file.")
        return cleaned


class ReviewEvidenceForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("return", "Return with feedback")], widget=forms.RadioSelect
    )
    feedback = forms.CharField(
        label="Feedback for the learner",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you return the evidence.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not cleaned.get("feedback", "").strip():
            self.add_error("feedback", "Say what the learner should improve.")
        return cleaned


class BulkUploadForm(forms.Form):
    """A spreadsheet of learners for one of the micro-credentials this person awards."""

    achievement = forms.TypedChoiceField(
        label="Micro-credential",
        coerce=int,
        error_messages={"invalid_choice": "Choose one of the micro-credentials you award."},
    )
    file = forms.FileField(
        label="Spreadsheet (CSV UTF-8)",
        help_text="Columns: email, given name, family name, student ID, evidence URL, narrative. "
        "The last three may be left empty.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, achievements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.achievements = {a.pk: a for a in achievements}
        self.fields["achievement"].choices = [("", "Choose…")] + [
            (a.pk, f"{a.name} (version {a.version})") for a in achievements
        ]

    def clean_achievement(self):
        return self.achievements[self.cleaned_data["achievement"]]


class ExpiryForm(forms.Form):
    """A new expiry for every issued award of one achievement."""

    valid_until = forms.DateField(
        label="New expiry date",
        required=False,
        help_text="The awards stay valid to the end of this day. Leave it empty for no expiry.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label="Reason (told to the learners)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the expiry changes: learners are told."},
    )

    def clean_valid_until(self):
        day = self.cleaned_data.get("valid_until")
        # The last days of the calendar have no end of day in UTC to store.
        if day is not None and not storable_moment(end_of_day(day)):
            raise forms.ValidationError("Choose an earlier date.")
        return day
