"""Template filters of the class pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from qiancheng.web.language import page_is_english

register = template.Library()


@register.filter
def zh(label: object) -> str:
    """A choice label as the page's language reads it (labels are Chinese msgids, translated by the .po)."""
    return str(label)


@register.filter
def sheet_column(column: object) -> str:
    """A sheet problem's column, stored as "中文表头 English header" (the API gives both), in the page's language."""
    chinese, _, english = str(column).partition(" ")
    return english if page_is_english() and english else chinese


@register.filter
def sheet_reason(problem: Any) -> str:
    """A sheet problem's reason (it carries `zh` and `en`) in the page's language."""
    def part(name: str) -> str:
        return str(problem.get(name, "") if isinstance(problem, dict) else getattr(problem, name, ""))

    return (part("en") or part("zh")) if page_is_english() else part("zh")


@register.filter
def percent(rate: object) -> str:
    """0.75 → "75%"."""
    try:
        return f"{(Decimal(str(rate)) * 100).quantize(Decimal('1'))}%"
    except InvalidOperation:
        return str(rate)
