"""How a page shows a service's refusal: its own words, as one error message in the page's language.

Services word a refusal "中文 / English" (the API carries both); a page shows the half it speaks."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from qiancheng.web.language import in_page_language, one_of_pair


def show_refusal(request: HttpRequest, refusal: ValidationError | PermissionDenied) -> None:
    """Every reason of a ValidationError joined with "；" (English "; "), or a PermissionDenied's message."""
    if isinstance(refusal, ValidationError):
        reasons = [one_of_pair(reason) for reason in refusal.messages]
        text = in_page_language("；", "; ").join(reasons)
    else:
        text = one_of_pair(str(refusal))
    messages.error(request, text)
