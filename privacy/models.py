from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class ErasureRecord(models.Model):
    """Proof that a user's data was erased, holding nothing that names them.

    `subject_hash` is HMAC-SHA256 of the user id under PRIVACY_ERASURE_SALT (a secret kept
    out of the database; privacy.services.subject_hash). A plain SHA-256 of the id would
    be a pseudonym anyone could recompute: whoever holds the id (the app's user table, a
    log line, a support ticket) could hash it and confirm the person was a user here. With
    the secret only the operator can recompute it, to answer "was this user erased?".
    """

    subject_hash = models.CharField(max_length=64, unique=True)
    first_erased_at = models.DateTimeField()
    # A returning user who asks again moves this; the record stays one row per person.
    last_erased_at = models.DateTimeField()

    class Meta:
        db_table = "privacy_erasure_records"
        constraints = [
            models.CheckConstraint(
                condition=Q(last_erased_at__gte=F("first_erased_at")),
                name="privacy_erasure_records_last_after_first",
            ),
        ]

    def __str__(self) -> str:
        return f"erasure {self.subject_hash[:12]}… at {self.last_erased_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if (
            self.first_erased_at
            and self.last_erased_at
            and (self.last_erased_at < self.first_erased_at)
        ):
            raise ValidationError({"last_erased_at": "Cannot be before first_erased_at."})
