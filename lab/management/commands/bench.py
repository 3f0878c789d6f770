import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from lab.benchmarks import (
    history_growth,
    ingestion,
    machine,
    plan_generation,
    regeneration,
    resync,
)

PARTS = ("plan", "regen", "ingest", "simulate", "growth", "resync")


class Command(BaseCommand):
    help = (
        "Run the benchmarks against a PostgreSQL database whose name ends in _bench (its data "
        "is wiped) and write docs/performance.md. Used by `make bench`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--only", nargs="*", choices=PARTS, default=list(PARTS))
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "docs" / "performance.md")
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
        if "resync" in only:
            self.stdout.write("the mobile app's resync calls against history ...")
            sections += [
                "",
                "## 6. The mobile app's resync calls against a user's history",
                "",
                resync.report(resync.run()),
            ]
        Path(options["output"]).write_text("\n".join(sections) + "\n")
        self.stdout.write(f"wrote {options['output']}")
