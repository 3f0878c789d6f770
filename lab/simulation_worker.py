"""Entry points for simulation worker processes.

Kept free of Django imports at module level: a spawned worker unpickles these functions
before Django is set up, then `start` sets it up on a private in-memory database.
"""

import os


def start() -> None:
    """Django on a private in-memory SQLite database with the task library."""
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "holisticos.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ENABLE_DYNAMIC_PLANS = True
    settings.FEEDBACK_COLLECTION_ENABLED = True
    call_command("migrate", verbosity=0, interactive=False)
    call_command("loaddata", "task_library", verbosity=0)


def simulate_slice(
    users, days, seed, policies, heterogeneity, keys, client, world="standard", swap_share=0.0
):
    from .simulation import simulate_users

    return simulate_users(
        users,
        days,
        seed,
        policies,
        heterogeneity,
        keys,
        client=client,
        world=world,
        swap_share=swap_share,
    )


def off_policy_slice(*args):
    from .off_policy_check import simulate_off_policy_slice

    return simulate_off_policy_slice(*args)


def holdout_check_slice(*args):
    from .holdout_check import holdout_slice

    return holdout_slice(*args)
