import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lab.redteam.report import table
from lab.redteam.run import run


class Command(BaseCommand):
    help = (
        "Rerun issue 16's red-team figures against this checkout served the production way "
        "(DEBUG off, gunicorn with holisticos/gunicorn.py, PostgreSQL, Redis) and print a "
        "table. Writes users, keys and plans: only into a database whose name ends in "
        "_redteam. Used by `make redteam`; docs/security.md records a run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--max-examples", type=int, default=20, help="schemathesis, per operation"
        )
        parser.add_argument("--lock-seconds", type=int, default=40)

    def handle(self, *args, **options) -> None:
        database = settings.DATABASES["default"]
        if settings.DEBUG:
            raise CommandError("Run with DEBUG off (make redteam).")
        if "postgresql" not in database["ENGINE"] or not database["NAME"].endswith("_redteam"):
            raise CommandError("Needs a PostgreSQL database whose name ends in _redteam.")
        if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
            raise CommandError("Needs CACHE_URL=redis://… as README's production steps say.")
        started = time.monotonic()
        rows = run(options["max_examples"], options["lock_seconds"], self.stderr.write)
        self.stdout.write(table(rows))
        failed = sum(not row.ok for row in rows)
        self.stdout.write(
            f"\n{len(rows)} checks, {failed} failed, {time.monotonic() - started:.0f} s "
            f"(max_examples={options['max_examples']}, lock {options['lock_seconds']} s, "
            f"statement timeout {settings.DATABASE_STATEMENT_TIMEOUT_MS} ms)"
        )
        if failed:
            raise CommandError(f"{failed} check(s) failed")
