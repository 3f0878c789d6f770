import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from lab.benchmarks import (
    big_tables,
    celery_scaling,
    evaluation,
    history_growth,
    ingestion,
    lift,
    machine,
    plan_generation,
    privacy,
    regeneration,
    resync,
    storage,
)

PARTS = (
    "plan",
    "regen",
    "ingest",
    "simulate",
    "growth",
    "bigdb",
    "evaluate",
    "celery",
    "privacy",
    "storage",
    "resync",
    "lift",
)


class Command(BaseCommand):
    help = (
        "Run the benchmarks against a PostgreSQL database whose name ends in _bench (its data "
        "is wiped) and write docs/performance.md. Used by `make bench`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--only", nargs="*", choices=PARTS, default=list(PARTS))
        parser.add_argument(
            "--big-users",
            type=int,
            default=5000,
            help="bigdb: users of the first size (the second doubles them), 900 items each",
        )
        parser.add_argument(
            "--lift-users",
            type=int,
            default=11112,
            help="lift: users of the first size (the second doubles them), 90 days each",
        )
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "docs" / "performance.md")
        )
        parser.add_argument(
            "--evaluate-users", nargs="+", type=int, default=[1000, 10000],
            help="user counts for the evaluate part (a week of logs each)",
        )  # fmt: skip
        parser.add_argument("--evaluate-workers", type=int, default=2)
        parser.add_argument(
            "--evaluate-baseline",
            help="a checkout of the code before compact logs: the first size is also "
            "measured with it, on the same data, before the migration converts it",
        )

    def handle(self, *args, **options) -> None:
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or not str(name).endswith("_bench"):
            raise CommandError(
                "Benchmarks wipe their database: point DATABASE_URL at a PostgreSQL database "
                "whose name ends in _bench (make bench does)."
            )
        sections = [
            "# Performance",
            "",
            f"Measured {date.today().isoformat()} by `make bench` on: {machine.describe()}.",
            "Every figure is a median (or percentile) over repeated runs in one session, each "
            "beside its floor measured in the same run.",
        ]
        only = options["only"]
        if "plan" in only:
            self.stdout.write("plan generation ...")
            results = plan_generation.run()
            sections += [
                "",
                "## 1. Plan generation (server side, new plans)",
                "",
                plan_generation.report(results),
            ]
        if "regen" in only:
            self.stdout.write("nightly regeneration ...")
            sections += [
                "",
                "## 2. Nightly regeneration (`regenerate_plans --all`)",
                "",
                regeneration.report(regeneration.run()),
            ]
        if "ingest" in only:
            self.stdout.write("feedback ingestion over HTTP ...")
            sections += [
                "",
                "## 3. Feedback ingestion over HTTP",
                "",
                ingestion.report(ingestion.run()),
            ]
        if "simulate" in only:
            self.stdout.write("simulation ...")
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "manage.py", "simulate"],
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            seconds = time.perf_counter() - started
            sections += [
                "",
                "## 4. Simulation",
                "",
                f"`manage.py simulate` at its default size (300 users, 28 days, 3 "
                f"policies, medium heterogeneity, one worker a core): {seconds:.0f} s.",
                "",
                "```",
                out.strip(),
                "```",
            ]
        if "growth" in only:
            self.stdout.write("cost against history ...")
            sections += [
                "",
                "## 5. Cost against a user's history",
                "",
                history_growth.report(history_growth.run()),
            ]
        if "celery" in only:
            self.stdout.write("the nightly run on Celery, one and two workers ...")
            sections += [
                "",
                "## 9. The nightly run on Celery",
                "",
                celery_scaling.report(celery_scaling.run()),
            ]
        if "privacy" in only:
            self.stdout.write("privacy: export and erasure ...")
            sections += [
                "",
                "## 10. A user's export and erasure (privacy)",
                "",
                privacy.report(privacy.run()),
            ]
        if "storage" in only:
            self.stdout.write("storage: bytes per row, partitioning a live database ...")
            sections += [
                "",
                "## 7. Storage: bytes per plan item, partitioning a live database",
                "",
                storage.report(storage.run()),
            ]
        if "bigdb" in only:
            self.stdout.write("big tables: the dashboard, live and rolled up ...")
            results = big_tables.run(options["big_users"], log=self.stdout.write)
            sections += [
                "",
                "## 6. Big tables: the admin dashboard from daily rollups",
                "",
                big_tables.report(results),
            ]
        if "lift" in only:
            self.stdout.write("the dashboard's holdout lift on a big holdout_user_days ...")
            sections += [
                "",
                "## 13. The holdout lift on the dashboard",
                "",
                lift.report(lift.run(options["lift_users"], log=self.stdout.write)),
            ]
        if "evaluate" in only:
            self.stdout.write("off-policy evaluation ...")
            results = evaluation.run(
                options["evaluate_users"],
                options["evaluate_baseline"],
                options["evaluate_workers"],
            )
            sections += [
                "",
                "## 8. Off-policy evaluation (`evaluate_policy`) and bytes per plan item",
                "",
                evaluation.report(results),
            ]
        if "resync" in only:
            self.stdout.write("the mobile app's resync calls against history ...")
            sections += [
                "",
                "## 12. The mobile app's resync calls against a user's history",
                "",
                resync.report(resync.run()),
            ]
        Path(options["output"]).write_text("\n".join(sections) + "\n")
        self.stdout.write(f"wrote {options['output']}")
