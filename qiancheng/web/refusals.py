"""How a page shows a service's refusal: its own words, as one error message in the page's language.

Services word a refusal "中文 / English" (the API carries both); a page shows the half it speaks."""

from __future__ import annotations

from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from qiancheng.web.language import in_page_language, one_of_pair

FormT = TypeVar("FormT", bound=forms.Form)


def refusal_text(refusal: ValidationError | PermissionDenied) -> str:
    """Every reason of a ValidationError joined with "；" (English "; "), or a PermissionDenied's message, each
    in the page's language (a form error or a message)."""
    if isinstance(refusal, ValidationError):
        return in_page_language("；", "; ").join(one_of_pair(reason) for reason in refusal.messages)
    return one_of_pair(str(refusal))


def show_refusal(request: HttpRequest, refusal: ValidationError | PermissionDenied) -> None:
    """The refusal as one error message of the page (see `refusal_text`)."""
    messages.error(request, refusal_text(refusal))


def valid_or_messages(request: HttpRequest, form: FormT) -> FormT | None:
    """The form if it is valid; otherwise each field's errors as messages ("label：reasons") and None."""
    if form.is_valid():
        return form
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        messages.error(request, f"{label}：{' '.join(errors)}")
    return None
