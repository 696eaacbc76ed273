# FormSubmission now belongs to the ground floor (core 0001 takes it over, table and rows unchanged).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("microcred", "0002_fingerprint_for_creating_views"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="FormSubmission")],
            database_operations=[],
        ),
    ]
