"""UserPreferenceProfile now belongs to the profiles app (state only; the table stays)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0002_policy_estimates"),
        ("profiles", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="UserPreferenceProfile")],
            database_operations=[],
        ),
    ]
