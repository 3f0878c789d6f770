"""The entry point of an evaluate_policy worker process (feedback/evaluation_shards.py).

A spawned process unpickles the function it runs by importing its module before anything
else, so this module imports nothing that needs Django's app registry: the worker sets
Django up first, then imports the replay.
"""

import django


def shard(*args):
    django.setup()
    from .evaluation_shards import shard_totals  # only once the app registry is ready

    return shard_totals(*args)
