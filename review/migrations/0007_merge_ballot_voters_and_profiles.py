# The two changes of issue 20 made side by side: the voters recorded with each ballot (0006_ballot_voters)
# and the profile recorded with each history event (0006_auditevent_profile...); the history's actions
# then include both new ones (0008).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0006_auditevent_profile_alter_auditevent_action"),
        ("review", "0006_ballot_voters"),
    ]

    operations = []
