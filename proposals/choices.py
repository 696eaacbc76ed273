"""The proposal's choice values, in a module of their own so that the policy profiles and their rules
(``policy/``) and the models all name them one way, never as bare strings."""

from django.db import models


class Kind(models.TextChoices):
    CREDIT_BEARING = "credit", "Credit-bearing"
    NON_CREDIT = "non_credit", "Non-credit"


class Form(models.TextChoices):
    DIGITAL_BADGE = "badge", "Digital badge"
    MICRO_CERTIFICATE = "micro_certificate", "Micro-certificate (a collection of micro-credentials)"


class Level(models.TextChoices):
    UNDERGRADUATE = "undergraduate", "Undergraduate"
    GRADUATE = "graduate", "Graduate"
    PROFESSIONAL = "professional", "Professional / non-enrolled learners"


class OutcomeKind(models.TextChoices):
    SLO = "slo", "Student learning outcome (SLO)"
    PO = "po", "Program outcome (PO)"
