"""One language per page: a choice label or message is a Chinese msgid, its English in the app's .po.

Code that needs one language whatever page is being drawn (a spreadsheet's Chinese column words, the API's
`zh`/`en` pair) asks for it by name here instead of splitting a "中文 English" string.
"""

from __future__ import annotations

import re

from django.utils import translation

CHINESE = "zh-hans"
ENGLISH = "en"


def in_language(text: object, language: str) -> str:
    """`text` (a lazy msgid, a choice label) as it reads in `language`."""
    with translation.override(language):
        return str(text)


def chinese(text: object) -> str:
    """The Chinese of a msgid or choice label (the msgid itself)."""
    return in_language(text, CHINESE)


def english(text: object) -> str:
    """The English of a msgid or choice label, from the .po files."""
    return in_language(text, ENGLISH)


def both(text: object) -> tuple[str, str]:
    """(Chinese, English) of a msgid: for the API's problem shape, which carries both."""
    return chinese(text), english(text)


def page_is_english() -> bool:
    """Whether the page being drawn is in English (the language LocaleMiddleware activated)."""
    return (translation.get_language() or "").startswith("en")


def in_page_language(zh: str, en: str) -> str:
    """Of a refusal's two messages (message_zh, message_en), the one the page speaks."""
    return en if page_is_english() else zh


# "不予批准须说明理由 / a rejection needs a reason": a service's Chinese, a slash, then its English.
_PAIRED = re.compile(r"^(?P<zh>.*?[\u4e00-\u9fff）」”。].*?)\s?/ (?P<en>[^\u4e00-\u9fff]+)$", re.S)


def one_of_pair(text: str) -> str:
    """A service's "中文 / English" message, in the page's language only; any other text as it is."""
    paired = _PAIRED.match(text)
    if not paired:
        return text
    english = paired.group("en").strip()
    return in_page_language(paired.group("zh").strip(), english[:1].upper() + english[1:])
