"""API idempotency keys: a state-changing request's first answer, replayed when it is retried."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotentRequest(models.Model):
    """One `Idempotency-Key` of one user, with what was asked and what was answered.

    The row is inserted before the request's work, in the same transaction: a concurrent request with
    the same key waits on the UNIQUE index until the first commits, then replays its answer, so the
    work is done once. `fingerprint` (SHA-256 of method, path and body) tells a retry from a different
    request that reuses the key, which is refused.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="empty while the work runs")
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "接口幂等键 API idempotency key"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
