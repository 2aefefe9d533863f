"""The one exception the funding services raise for a refused change, with the reason in both languages."""

from __future__ import annotations

from typing import Any


class FundingRefused(Exception):
    """A money change the rules do not allow; nothing was written.

    `code` is stable for clients (the API answers it), the messages say why in Chinese and English;
    `details` names the records involved for a client to act on (e.g. the claim that already exists).
    """

    def __init__(self, code: str, message_zh: str, message_en: str, *, status: int = 409,
                 details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(f"{code}: {message_zh} / {message_en}")
        self.code, self.message_zh, self.message_en, self.status = code, message_zh, message_en, status
        self.details = details
