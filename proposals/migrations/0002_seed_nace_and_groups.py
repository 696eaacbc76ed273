"""Seed the NACE career-readiness competencies named by the Binghamton policy, and the
institution-wide role groups."""

from django.db import migrations

from proposals.nace import seed_nace

GROUPS = ["Faculty", "Learner", "Registrar"]


def seed(apps, schema_editor):
    Framework = apps.get_model("proposals", "CompetencyFramework")
    Competency = apps.get_model("proposals", "Competency")
    Group = apps.get_model("auth", "Group")
    seed_nace(Framework, Competency)
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


def unseed(apps, schema_editor):
    apps.get_model("proposals", "Competency").objects.filter(framework__slug="nace").delete()
    apps.get_model("proposals", "CompetencyFramework").objects.filter(slug="nace").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
