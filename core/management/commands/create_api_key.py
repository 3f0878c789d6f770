from django.core.management.base import BaseCommand, CommandError
from rest_framework_api_key.models import APIKey


class Command(BaseCommand):
    help = "Create a service API key (sent as X-API-Key). The key is printed once, never stored."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="who the key is for, e.g. mobile-backend")

    def handle(self, *args, **options) -> None:
        name = options["name"].strip()
        if not name or len(name) > 50:
            raise CommandError("NAME must be 1-50 characters.")
        if APIKey.objects.filter(name=name, revoked=False).exists():
            raise CommandError(f"An active key named {name!r} exists; revoke it in admin first.")
        _, key = APIKey.objects.create_key(name=name)
        self.stdout.write(key)
        self.stderr.write(f"Created API key {name!r}. Store it now: it cannot be shown again.")
