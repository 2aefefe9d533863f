"""One language per page: a translatable message is Chinese, and its English lives in the .po file.

A msgid written "中文 / English" shows both languages on the Chinese page (and, untranslated, on the
English one too). Services' refusals are bilingual on purpose (the API carries both); what pages
translate is not."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "qiancheng"
HAN = r"[\u4e00-\u9fff]"
# `_("…中文… / English…")` in Python, `{% translate "…中文… / English…" %}` in templates.
BILINGUAL = re.compile(r'(?:_\(|translate )\s*"[^"\n]*' + HAN + r'[^"\n]*? / [A-Z][^"\n]*"')


def test_no_page_message_carries_both_languages() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}"
             for path in [*ROOT.rglob("*.py"), *ROOT.rglob("*.html")] if "migrations" not in path.parts
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if BILINGUAL.search(line)]
    assert found == []
