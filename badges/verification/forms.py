"""The public "verify a credential" form."""

from django import forms

FIELD = "credential"


class VerifyForm(forms.Form):
    credential = forms.FileField(
        label="Credential file or badge image",
        help_text=(
            "The credential as JSON (.json, .jsonld) or as a JSON Web Token (.jwt), or the badge image "
            "(.png, .svg) with it baked in."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.jsonld,.jwt,.png,.svg"}),
        error_messages={
            "required": "Choose a credential file or badge image to check.",
            "empty": "The file is empty.",
        },
    )
