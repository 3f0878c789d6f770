from django.db import models
from rest_framework_api_key.models import APIKey


class ServiceKeyUsage(models.Model):
    """When a service key was last accepted, so unused keys can be found and revoked.

    Kept beside the third-party APIKey table (which has no such column) and written at most
    once a minute per key (core/api/key_usage.py), so busy keys cost no extra writes.
    """

    key = models.OneToOneField(
        APIKey, on_delete=models.CASCADE, primary_key=True, related_name="usage"
    )
    last_used_at = models.DateTimeField()

    class Meta:
        verbose_name = "service key usage"

    def __str__(self) -> str:
        return f"{self.key_id} last used {self.last_used_at:%Y-%m-%d %H:%M}"
