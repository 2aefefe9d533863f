"""Template filters of the class pages."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def zh(label: object) -> str:
    """The Chinese part of a bilingual choice label ("待审核 Submitted" → "待审核")."""
    return re.sub(r"\s+[A-Za-z].*$", "", str(label)).strip()


@register.filter
def percent(rate: object) -> str:
    """0.75 → "75%"."""
    try:
        return f"{(Decimal(str(rate)) * 100).quantize(Decimal('1'))}%"
    except InvalidOperation:
        return str(rate)
