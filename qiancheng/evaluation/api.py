"""`/api/v1/certificates`: certificates under the caller's scope, and imports from evaluation bodies."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["certificates 证书"])
results_router = Router(tags=["results 考核结果"])
