"""Forms of the people who award: a class's spreadsheet, and a new expiry for an achievement's awards."""

from django import forms

from core.fields import storable_moment

from ..learning.selectors import reflection_required
from .expiry import end_of_day


class BulkUploadForm(forms.Form):
    """A spreadsheet of learners for one of the micro-credentials this person awards."""

    achievement = forms.TypedChoiceField(
        label="Micro-credential",
        coerce=int,
        error_messages={"invalid_choice": "Choose one of the micro-credentials you award."},
    )
    file = forms.FileField(
        label="Spreadsheet (CSV UTF-8)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, achievements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "Columns: email, given name, family name, student ID, evidence URL, narrative, assessed "
            "elsewhere, reflection. Each row needs its evidence: an evidence URL, a narrative, or your "
            "statement that the evidence was assessed elsewhere (and where). "
            + (
                "The policy requires the learner's culminating reflection in every row. "
                if reflection_required()
                else ""
            )
            + "Without a student ID, a learner is awarded only a micro-credential open to "
            "non-matriculated learners."
        )
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
