"""How a page shows a service's refusal: its own words ("中文 / English"), as one error message."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest


def show_refusal(request: HttpRequest, refusal: ValidationError | PermissionDenied) -> None:
    """Every reason of a ValidationError joined with "；", or a PermissionDenied's message."""
    text = "；".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
    messages.error(request, text)
