# The submission keys' table moved here from the project package (microcred 0001 and 0002 made it):
# only Django's record of which app owns the model changes; the table keeps its name and rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("microcred", "0002_fingerprint_for_creating_views"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FormSubmission",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.UUIDField(unique=True)),
                        ("path", models.CharField(max_length=500)),
                        ("fingerprint", models.CharField(blank=True, db_index=True, max_length=64)),
                        ("outcome", models.CharField(blank=True, max_length=2000)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "microcred_formsubmission", "ordering": ["-created_at"]},
                ),
            ],
            database_operations=[],
        ),
    ]
