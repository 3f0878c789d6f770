from django.core.management.base import BaseCommand, CommandError

from core.command_args import uuid_arg
from feedback.totals_check import check_totals, users_with_totals


class Command(BaseCommand):
    help = (
        "Check the folded lifetime totals (user_outcome_totals, user_task_firsts) against a "
        "recomputation from the raw feedback and plan items; --repair rewrites the rows that "
        "differ. Exits non-zero when a difference is left unrepaired."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repair", action="store_true", help="rewrite the rows that differ")
        parser.add_argument("--user", action="append", default=[], help="only this user (UUID)")
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, **options) -> None:
        if not 1 <= options["batch_size"] <= 5000:
            raise CommandError("--batch-size must be between 1 and 5000")
        users = [uuid_arg(text, "--user") for text in options["user"]]
        batches = [users] if users else users_with_totals(options["batch_size"])
        checked = differing = 0
        for batch in batches:
            mismatches = check_totals(batch, repair=options["repair"])
            checked += len(batch)
            differing += len({m.user_id for m in mismatches})
            for m in mismatches:
                self.stdout.write(
                    f"{m.user_id} {m.field}: stored {m.stored}, recomputed {m.recomputed}"
                )
        verb = "repaired" if options["repair"] else "differ"
        self.stdout.write(f"{checked} users checked, {differing} {verb}")
        if differing and not options["repair"]:
            raise CommandError(f"{differing} users' totals differ from the raw rows (--repair)")
