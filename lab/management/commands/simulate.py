import os
import time

from django.core.management.base import BaseCommand, CommandError

from lab.exploration import exploration_curve, format_curve
from lab.holdout_check import format_holdout_checks, run_holdout_check
from lab.off_policy_check import format_off_policy_check, run_off_policy_check
from lab.reports import format_report, format_summary, format_world_summary
from lab.simulation import ALL_POLICIES, CLIENTS, HETEROGENEITY, run_simulation
from lab.swapping import SwapComparison, format_swap_summary
from lab.worlds import STANDARD, WORLD_HETEROGENEITY, WORLDS


class Command(BaseCommand):
    help = (
        "Simulate synthetic users through the real plan generator and feedback services, "
        "each worker on its own throw-away in-memory database, and report completion per "
        "policy and week."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=int, default=300)
        parser.add_argument("--days", type=int, default=28)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--policy", choices=[*ALL_POLICIES, "all"], default="all")
        parser.add_argument(
            "--heterogeneity",
            choices=[*HETEROGENEITY, "all"],
            default="medium",
            help="how far users' hidden tastes stray from what their archetype predicts",
        )
        parser.add_argument(
            "--world",
            choices=[*WORLDS, "all"],
            default=STANDARD,
            help="the hidden model of the users (lab/worlds.py); every world but standard "
            f"is run at {WORLD_HETEROGENEITY} heterogeneity",
        )
        parser.add_argument(
            "--client",
            choices=[*CLIENTS, "all"],
            default="full",
            help="what the simulated app reports: every item (full), only ticks "
            "(completions), or the real app's ticks, occasional skips and ratings and "
            "silent days (mixed)",
        )
        parser.add_argument(
            "--off-policy",
            action="store_true",
            help="log with static for the last week, estimate adaptive off-policy from the "
            "logs, then run adaptive for real on the same users and compare",
        )
        parser.add_argument(
            "--holdout-share",
            type=float,
            default=0.0,
            help="also run every user as production plans them with this share (0..0.5) held "
            "out on the static policy, and compare the live lift estimate (rolled up and read "
            "as the dashboard does) with the static and adaptive runs (lab/holdout_check.py)",
        )
        parser.add_argument(
            "--exploration-curve",
            action="store_true",
            help="print how often a clearly worse kind of task still wins a slot, by day "
            "(plain computation, no simulated users)",
        )
        parser.add_argument(
            "--swap",
            type=float,
            default=0.0,
            metavar="SHARE",
            help="also run each configuration with users who swap a task they dislike with "
            "this probability (lab/swapping.py), and report what swapping adds; 0 (the "
            "default): no swapping, the usual report only",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes, each with its own in-memory database (default: one per core)",
        )

    def handle(self, *args, **options) -> None:
        if options["exploration_curve"]:
            self.stdout.write(format_curve(exploration_curve()))
            return
        if not 1 <= options["users"] <= 100_000:
            raise CommandError("--users must be between 1 and 100000")
        if not 1 <= options["days"] <= 366:
            raise CommandError("--days must be between 1 and 366")
        if not 1 <= options["workers"] <= 64:
            raise CommandError("--workers must be between 1 and 64")
        if not 0.0 <= options["swap"] <= 1.0:
            raise CommandError("--swap must be between 0 and 1")
        policies = ALL_POLICIES if options["policy"] == "all" else (options["policy"],)
        worlds = WORLDS if options["world"] == "all" else (options["world"],)
        if options["world"] not in (STANDARD, "all") and options["heterogeneity"] != (
            WORLD_HETEROGENEITY
        ):
            raise CommandError(
                f"the {options['world']} world is defined at {WORLD_HETEROGENEITY} heterogeneity"
            )
        levels = (
            tuple(HETEROGENEITY)
            if options["heterogeneity"] == "all"
            else (options["heterogeneity"],)
        )
        started = time.monotonic()
        if options["holdout_share"]:
            self._holdout_check(options, levels)
            self.stdout.write(f"elapsed={time.monotonic() - started:.1f}s")
            return
        if options["off_policy"]:
            if options["days"] < 14 or options["days"] % 7:
                raise CommandError("--off-policy needs --days as a multiple of 7, at least 14")
            if options["client"] != "full":
                raise CommandError("--off-policy models the full client only")
            if options["world"] != STANDARD:
                raise CommandError("--off-policy models the standard world only")
            for level in levels:
                check = run_off_policy_check(
                    users=options["users"],
                    days=options["days"],
                    seed=options["seed"],
                    heterogeneity=level,
                    workers=min(options["workers"], options["users"]),
                )
                self.stdout.write(format_off_policy_check(check))
                self.stdout.write("")
            self.stdout.write(f"elapsed={time.monotonic() - started:.1f}s")
            return
        clients = CLIENTS if options["client"] == "all" else (options["client"],)
        results, comparisons = [], []
        for world in worlds:
            # --heterogeneity sets the standard world's level; the others have their own.
            for level in levels if world == STANDARD else (WORLD_HETEROGENEITY,):
                for client in clients:
                    run = {
                        "users": options["users"],
                        "days": options["days"],
                        "seed": options["seed"],
                        "policies": policies,
                        "heterogeneity": level,
                        "workers": min(options["workers"], options["users"]),
                        "client": client,
                        "world": world,
                    }
                    result = run_simulation(**run)
                    results.append(result)
                    self.stdout.write(format_report(result))
                    self.stdout.write("")
                    if options["swap"]:
                        # The same users and days again, with users who swap.
                        swapped = run_simulation(**run, swap_share=options["swap"])
                        comparisons.append(SwapComparison(result, swapped, options["swap"]))
        standard = [result for result in results if result.world == STANDARD]
        if len(standard) > 1:
            self.stdout.write(format_summary(standard))
            self.stdout.write("")
        if len(worlds) > 1:
            self.stdout.write(format_world_summary(results))
            self.stdout.write("")
        if comparisons:
            self.stdout.write(format_swap_summary(comparisons))
            self.stdout.write("")
        self.stdout.write(f"elapsed={time.monotonic() - started:.1f}s")

    def _holdout_check(self, options, levels) -> None:
        if not 0 < options["holdout_share"] <= 0.5:
            raise CommandError("--holdout-share must be above 0 and at most 0.5")
        if options["world"] != STANDARD or options["off_policy"]:
            raise CommandError("--holdout-share models the standard world only, alone")
        clients = CLIENTS if options["client"] == "all" else (options["client"],)
        for level in levels:
            checks = [
                run_holdout_check(
                    users=options["users"],
                    days=options["days"],
                    seed=options["seed"],
                    heterogeneity=level,
                    client=client,
                    share=options["holdout_share"],
                    workers=min(options["workers"], options["users"]),
                )
                for client in clients
            ]
            self.stdout.write(format_holdout_checks(checks))
            self.stdout.write("")
