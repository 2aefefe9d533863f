"""Masked forms of personal data: what pages, lists, exports and the audit trail show.

The masked form is stored beside the ciphertext (computed once, when the value is written), so a list
of ten thousand people never decrypts anything. It keeps what officials use to tell records apart
at a glance (place of issue, last digits) and hides the rest, including the birth date.
"""

from __future__ import annotations

MASK = "*"


def _compact(raw: str) -> str:
    return "".join(raw.split()).upper()


MIN_HIDDEN = 4


def _keep(value: str, head: int, tail: int) -> str:
    """Keep `head` leading and `tail` trailing characters; a value too short to hide four characters
    that way shows at most half of its end instead."""
    if len(value) < head + tail + MIN_HIDDEN:
        visible = min(tail, len(value) // 2)
        return MASK * (len(value) - visible) + value[len(value) - visible :]
    return value[:head] + MASK * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id_number(raw: str) -> str:
    """'450102199001011234' -> '450102********1234': division code and last four; birth date hidden."""
    return _keep(_compact(raw), head=6, tail=4)


def mask_phone(raw: str) -> str:
    """'13812345678' -> '138****5678'."""
    return _keep(_compact(raw), head=3, tail=4)


def mask_bank_account(raw: str) -> str:
    """'6222021234567890123' -> '***************0123': only the last four digits stay visible."""
    return _keep(_compact(raw), head=0, tail=4)
