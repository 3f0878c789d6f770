"""Every user with a plan gets a profile (issue 15): the first plan now creates it, and
users planned before that get one here, with their latest plan's archetype and mode, so
their profile and weekly summary answer 200 and the nightly run plans them."""

from django.db import migrations

BATCH = 1000


def create_missing_profiles(apps, schema_editor):
    Plan = apps.get_model("routines", "Plan")
    Profile = apps.get_model("profiles", "UserPreferenceProfile")
    after = None
    while True:
        users = Plan.objects.order_by("user_id").values_list("user_id", flat=True).distinct()
        if after is not None:
            users = users.filter(user_id__gt=after)
        batch = list(users[:BATCH])
        if not batch:
            return
        after = batch[-1]
        have = set(Profile.objects.filter(user_id__in=batch).values_list("user_id", flat=True))
        missing = [user for user in batch if user not in have]
        profiles = []
        for user in missing:
            latest = Plan.objects.filter(user_id=user).order_by("-date").first()
            first = Plan.objects.filter(user_id=user).order_by("date").first()
            profiles.append(
                Profile(
                    user_id=user,
                    archetype=latest.archetype,
                    current_mode=latest.readiness_mode,
                    discovery_start_date=first.date,
                )
            )
        Profile.objects.bulk_create(profiles, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0002_daily_capacity"),
        ("routines", "0006_nightly_runs"),
    ]

    operations = [migrations.RunPython(create_missing_profiles, migrations.RunPython.noop)]
