import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.command_args import iso_date, uuid_arg
from feedback.nightly_jobs import enqueue_run, follow_run
from feedback.retention import ensure_partitions
from feedback.rollups import nightly_rollup
from feedback.services import relearn_users
from routines.nightly import RegenerationReport, regenerate_plans
from routines.selectors import users_to_plan
from routines.sharding import parse_shard

PARTITION_MONTHS_AHEAD = 3


class Command(BaseCommand):
    # It lives in the feedback app, above routines, because each batch is relearned first:
    # the days before --date close, so yesterday's silence reaches tomorrow's plan.
    help = (
        "Relearn, then regenerate plans for a date for users with a preference profile. "
        "Use --shard K/N to split the run between N workers with no overlap and no gap."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", required=True, help="YYYY-MM-DD")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", action="append", default=None, help="a user UUID; repeat")
        who.add_argument("--all", action="store_true", help="every user with a profile")
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument("--shard", default=None, help="K/N: this worker's share, 1-based")
        parser.add_argument("--dry-run", action="store_true", help="plan but write nothing")
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="run here even when CELERY_BROKER_URL is set (the default without it)",
        )
        parser.add_argument("--chunks", type=int, default=None, help="Celery: key-range chunks")
        parser.add_argument("--wait", action="store_true", help="Celery: wait for the run")

    def handle(self, *args, **options) -> None:
        day = iso_date(options["date"], "--date")
        user_ids = (
            [uuid_arg(text, "--user") for text in options["user"]] if options["user"] else None
        )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            shard = parse_shard(options["shard"]) if options["shard"] else None
        except ValueError as exc:
            raise CommandError(f"--shard: {exc}") from exc

        if not options["dry_run"]:
            # PostgreSQL: the months the plans are written into exist before the writes
            # (a DEFAULT partition would take them otherwise); nothing to do on SQLite.
            created, problems = ensure_partitions(day, PARTITION_MONTHS_AHEAD)
            for problem in problems:
                self.stderr.write(problem)
            if created:
                self.stdout.write(f"partitions created: {' '.join(created)}")
        if self._on_celery(options, user_ids, shard):
            return self._enqueue(day, options)

        show_progress = self.stdout.isatty()
        started = time.monotonic()

        def progress(report: RegenerationReport) -> None:
            if show_progress and report.users % 50 == 0:
                elapsed = time.monotonic() - started
                rate = report.users / elapsed if elapsed else 0.0
                self.stdout.write(
                    f"\r{report.users} users, {rate:.0f}/s, {len(report.failures)} failed",
                    ending="",
                )
                self.stdout.flush()

        report = regenerate_plans(
            day,
            users_to_plan(user_ids, options["batch_size"], shard.key_range if shard else None),
            dry_run=options["dry_run"],
            on_user_done=progress,
            before_batch=lambda user_ids: relearn_users(user_ids, day),
        )
        if show_progress:
            self.stdout.write("")
        # Closed days roll up once a night: by the full run, and in a sharded one by shard 1
        # (the other shards would only repeat it). Planning does not change closed days.
        if options["all"] and not options["dry_run"] and (shard is None or shard.index == 1):
            self._roll_up(day)
        for user_id, error in report.failures:
            self.stderr.write(f"failed: {user_id}: {error}")
        elapsed = time.monotonic() - started
        prefix = "dry run: " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}users={report.users} plans_written={report.plans_written} "
            f"fallbacks={report.fallbacks} failures={len(report.failures)} "
            f"skipped_erased={report.skipped} "
            f"elapsed={elapsed:.1f}s"
        )
        if report.failures:
            raise CommandError(f"{len(report.failures)} of {report.users} users failed")

    def _on_celery(self, options, user_ids, shard) -> bool:
        if not settings.CELERY_BROKER_URL or options["in_process"]:
            return False
        if user_ids or shard or options["dry_run"]:
            raise CommandError(
                "with CELERY_BROKER_URL set, --user, --shard and --dry-run need --in-process"
            )
        return True

    def _enqueue(self, day, options) -> None:
        from feedback.tasks import regenerate_chunk

        if options["chunks"] is not None and not 1 <= options["chunks"] <= 100_000:
            raise CommandError("--chunks must be between 1 and 100000")
        run = enqueue_run(day, regenerate_chunk.delay, options["chunks"], options["batch_size"])
        self.stdout.write(f"enqueued run {run.id}: {run.chunk_count} chunks for {day}")
        # The closed days are closed whatever the workers plan: roll them up here, once.
        self._roll_up(day)
        if options["wait"]:
            follow_run(self.stdout.write, run.id, wait=True, interval=2.0, timeout=0)

    def _roll_up(self, day) -> None:
        rolled = nightly_rollup(day)
        self.stdout.write(
            f"rolled up {rolled.since}..{rolled.until}: outcome_rows={rolled.outcome_rows}"
        )
