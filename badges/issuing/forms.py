"""The office's form to revoke an award."""

from django import forms


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason for revoking",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the award is revoked."},
    )
