from django.core.management.base import BaseCommand

from core.command_args import uuid_arg
from privacy.services import erase_user, erasure_preview


class Command(BaseCommand):
    help = (
        "Erase everything held about a user (what DELETE /api/v1/users/{user_id} does), in "
        "one transaction, and record the erasure without the id. --dry-run lists, per "
        "table, the rows that would go and writes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("user_id", help="the user's UUID")
        parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")

    def handle(self, *args, **options) -> None:
        user_id = uuid_arg(options["user_id"], "user_id")
        erasure = erasure_preview(user_id) if options["dry_run"] else erase_user(user_id)
        verb = "would delete" if erasure.dry_run else "deleted"
        for table, rows in erasure.rows.items():
            self.stdout.write(f"{table}: {rows}")
        prefix = "dry run: " if erasure.dry_run else ""
        self.stdout.write(f"{prefix}{verb} {erasure.total} rows of {user_id}")
