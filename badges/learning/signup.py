"""The sign-up form of learners from outside the university (django-allauth's, with their names).

No username is asked for: people are shown by their names, and a form that refused a taken username
would tell anyone who has an account here. For the same reason the answer to an email that already
has an account is the page and the email a new account gets (allauth's enumeration prevention), after
the same work: the password is hashed either way, so how long the answer takes tells nothing either.
"""

from allauth.account.forms import SignupForm
from django import forms
from django.contrib.auth.hashers import make_password


class LearnerSignupForm(SignupForm):
    first_name = forms.CharField(
        label="Given name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Family name",
        max_length=150,
        required=False,
        help_text="Leave it empty if you have only one name.",
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def clean_first_name(self):
        name = self.cleaned_data["first_name"].strip()
        if not name:
            raise forms.ValidationError("Enter your given name: it is how your credentials name you.")
        return name

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))  # the work a new account's password costs
        return super().try_save(request)
