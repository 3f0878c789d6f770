from django.core.management.base import BaseCommand

from core.command_args import uuid_arg
from feedback.nightly_jobs import follow_run


class Command(BaseCommand):
    help = (
        "Progress of a nightly run on Celery (the newest by default): chunks pending, "
        "running, done and failed, users planned. --wait polls until it finishes; exits "
        "non-zero if a chunk or a user failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("run", nargs="?", help="run id (default: the newest run)")
        parser.add_argument("--wait", action="store_true", help="poll until the run finishes")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls")
        parser.add_argument("--timeout", type=float, default=0, help="give up after (0: never)")

    def handle(self, *args, **options) -> None:
        run_id = uuid_arg(options["run"], "run") if options["run"] else None
        follow_run(
            self.stdout.write, run_id, options["wait"], options["interval"], options["timeout"]
        )
