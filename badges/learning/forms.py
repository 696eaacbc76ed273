"""Forms of learners (joining, evidence) and evaluators (reviewing evidence)."""

from django import forms


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


class NamesForm(forms.Form):
    """A person's names; for a learner, also how their credentials name them."""

    first_name = forms.CharField(
        label="Given name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Enter your given name."},
    )
    last_name = forms.CharField(
        label="Family name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    credential_name = forms.CharField(
        label="Name on your credentials",
        max_length=150,
        required=False,
        help_text="A chosen or preferred name, as you want employers to read it. Empty: your given and "
        "family names.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    name_on_credentials = forms.BooleanField(
        label="Show my name on my credentials",
        required=False,
        help_text="Otherwise a credential identifies you only by a hash of your email address, which you "
        "can prove to whoever you give it to.",
    )

    def __init__(self, *args, learner=True, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not learner:  # staff without credentials: their names only
            del self.fields["credential_name"], self.fields["name_on_credentials"]
        if institution:  # names the institution's sign-in refreshes: shown, changed there
            for name in ("first_name", "last_name"):
                self.fields[name].disabled = True
                self.fields[
                    name
                ].help_text = f"From {institution}'s sign-in: to change it, ask {institution}."


class CatalogFilterForm(forms.Form):
    """The catalog's search and filters, read from the URL (a department links its own list)."""

    WHO = (
        ("", "Any"),
        ("anyone", "Open to learners from outside"),
        ("students", "Enrolled students only"),
    )
    FEE = (("", "Any fee"), ("none", "No fee"), ("fee", "With a fee"))

    q = forms.CharField(label="Search", required=False, max_length=100)
    who = forms.ChoiceField(label="Who may join", choices=WHO, required=False)
    kind = forms.ChoiceField(label="Credit", required=False)
    level = forms.ChoiceField(label="Level", required=False)
    unit = forms.TypedChoiceField(label="Unit", required=False, coerce=int, empty_value=None)
    competency = forms.TypedChoiceField(label="Competency", required=False, coerce=int, empty_value=None)
    fee = forms.ChoiceField(label="Fee", choices=FEE, required=False)

    def __init__(self, *args, units=(), competencies=(), **kwargs):
        from proposals.choices import Kind, Level

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any"), *Kind.choices]
        self.fields["level"].choices = [("", "Any level"), *Level.choices]
        self.fields["unit"].choices = [("", "Any unit"), *((u.pk, u.name) for u in units)]
        self.fields["competency"].choices = [("", "Any competency"), *((c.pk, c.name) for c in competencies)]

    def filters(self):
        """The valid filters as the selector takes them; a value that is not one of the choices (an
        edited URL) is dropped, never an error."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}
