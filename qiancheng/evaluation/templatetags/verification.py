"""Template tags of the public verification pages (/verify/)."""

from __future__ import annotations

import re

from django import template

from qiancheng.clock import today
from qiancheng.evaluation.models import Certificate

register = template.Library()

# The two formats in the register: certificates issued here (evaluation.services._next_number) and the
# imported history (year and a nine-digit sequence).
_FORMATS = (re.compile(r"^(GX-\d{4}-[A-Z]{2}-)(\d+)$"), re.compile(r"^(ZS\d{4})(\d{9})$"))


@register.simple_tag
def certificate_example() -> str:
    """An example number in the format the register really holds: the newest certificate's number with its
    sequence replaced by 1 (ZS2025000000001 for the imported history, GX-2026-ZJ-000001 for certificates
    issued here), so the hint is never a format no certificate has. The app's own format when none exists."""
    newest = Certificate.objects.order_by("-issued_on", "-pk").values_list("number", flat=True).first()
    for pattern in _FORMATS if newest else ():
        match = pattern.match(newest)
        if match:
            return match.group(1) + "1".zfill(len(match.group(2)))
    if newest:
        return newest
    return f"GX-{today().year}-ZJ-000001"
