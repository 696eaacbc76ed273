from django import forms

from .models import Term


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["code", "name", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", "A term ends on or after the day it starts.")
        return cleaned


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=2000, required=False)


class CorrectForm(forms.Form):
    student_id = forms.CharField(label="Student ID", max_length=30, required=False)
    reason = forms.CharField(
        label="Reason for the correction", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PostForm(forms.Form):
    sis_reference = forms.CharField(label="SIS reference", max_length=100)
    posted_on = forms.DateField(label="Posted in the SIS on", widget=forms.DateInput(attrs={"type": "date"}))
