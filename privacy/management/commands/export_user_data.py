import os
import sys

from django.core.management.base import BaseCommand, CommandError

from core.command_args import uuid_arg
from privacy.export import export_chunks


class Command(BaseCommand):
    help = (
        "Write everything held about a user to a file, the same JSON document that "
        "GET /api/v1/users/{user_id}/export streams."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("user_id", help="the user's UUID")
        parser.add_argument("--output", required=True, help="file to write; - for stdout")

    def handle(self, *args, **options) -> None:
        user_id = uuid_arg(options["user_id"], "user_id")
        target = options["output"]
        if target == "-":
            self._write(user_id, sys.stdout)
            return
        try:
            # "x": never overwrite a file that is there, another user's export perhaps.
            out = open(target, "x", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(f"--output: cannot write {target}: {exc.strerror}") from exc
        try:
            with out:
                self._write(user_id, out)
        except BaseException:
            # A cut-off document is not an export: leave no half-written file behind.
            os.remove(target)
            raise
        self.stderr.write(f"wrote the export of {user_id} to {target}")

    def _write(self, user_id, out) -> None:
        for chunk in export_chunks(user_id):
            out.write(chunk)
