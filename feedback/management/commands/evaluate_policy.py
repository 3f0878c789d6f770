from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.command_args import iso_date
from feedback.evaluation import CANDIDATE_POLICIES, POLICY_NAMES
from feedback.offpolicy import format_evaluation
from feedback.services import evaluate_policy


class Command(BaseCommand):
    help = (
        "Estimate a candidate policy's completion rate from logged plans and feedback (IPS, "
        "self-normalised IPS, doubly robust, with bootstrap intervals), beside the logging "
        "policy's observed rate. Says when the logs cannot support an estimate."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--candidate", required=True, choices=CANDIDATE_POLICIES)
        parser.add_argument("--since", help="first plan date, YYYY-MM-DD (default: 28 days ago)")
        parser.add_argument("--until", help="last plan date, YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--bootstrap", type=int, default=400, help="bootstrap resamples")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--no-save", action="store_true", help="do not keep the estimate")
        parser.add_argument(
            "--workers", type=int, default=1, help="processes replaying the logs (1 to 16)"
        )

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        until = iso_date(options["until"], "--until") if options["until"] else today - timedelta(1)
        since = iso_date(options["since"], "--since") if options["since"] else until - timedelta(27)
        if since > until:
            raise CommandError("--since must not be after --until")
        if not 50 <= options["bootstrap"] <= 10_000:
            raise CommandError("--bootstrap must be between 50 and 10000")
        if not 1 <= options["workers"] <= 16:
            raise CommandError("--workers must be between 1 and 16")
        result, logged_by = evaluate_policy(
            options["candidate"],
            since,
            until,
            options["bootstrap"],
            options["seed"],
            save=not options["no_save"],
            workers=options["workers"],
        )
        self.stdout.write(f"plans from {since} to {until}")
        self.stdout.write(format_evaluation(result, POLICY_NAMES[options["candidate"]], logged_by))
