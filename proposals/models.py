from django.conf import settings
from django.db import models


class Unit(models.Model):
    """An organisational unit: the university, its schools and colleges, departments and centres."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", "University"
        SCHOOL = "school", "School / college"
        DEPARTMENT = "department", "Department"
        CENTRE = "centre", "Centre / institute"
        OFFICE = "office", "Administrative office"

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=40, unique=True, help_text="Short code, e.g. 'cs' or 'harpur'.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="unit_not_its_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def ancestors(self):
        """This unit's parents, nearest first (one query per level; hierarchies are shallow)."""
        chain, seen, unit = [], {self.pk}, self.parent
        while unit is not None and unit.pk not in seen:
            chain.append(unit)
            seen.add(unit.pk)
            unit = unit.parent
        return chain

    def lineage_ids(self):
        """The ids of this unit and every unit above it."""
        return [self.pk, *(u.pk for u in self.ancestors())]


class UnitRole(models.Model):
    """A person's standing in a unit: a faculty member of it, or its program evaluator."""

    class Role(models.TextChoices):
        FACULTY = "faculty", "Faculty member"
        PROGRAM_EVALUATOR = "program_evaluator", "Program evaluator"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_roles")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        ordering = ["unit__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "user", "role"], name="unique_unit_role"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.unit}"


class CompetencyFramework(models.Model):
    """A competency framework; NACE's career-readiness competencies are seeded, others may be added."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Competency(models.Model):
    framework = models.ForeignKey(CompetencyFramework, on_delete=models.PROTECT, related_name="competencies")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    definition = models.TextField()
    url = models.URLField(help_text="Public page with the competency's definition.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework__name", "position", "name"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["framework", "slug"], name="unique_competency_per_framework"),
        ]

    def __str__(self):
        return self.name
