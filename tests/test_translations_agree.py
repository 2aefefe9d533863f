"""Every app's English catalogue says the same thing for the same Chinese msgid.

Django merges the apps' catalogues and the app listed first in INSTALLED_APPS wins, so two apps translating
one msgid differently make a page's English depend on an unrelated app (待审核 read "Awaiting review" on the
review queue because demand said so). One msgid, one English.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "qiancheng"


def _entries(path: Path) -> dict[tuple[str, str], str]:
    """(msgctxt, msgid) -> msgstr of a .po file (plain entries; plural forms are keyed by their singular)."""
    entries: dict[tuple[str, str], str] = {}
    fields: dict[str, str] = {}
    current = ""

    def flush() -> None:
        if fields.get("msgid") and fields.get("msgstr"):
            entries[(fields.get("msgctxt", ""), fields["msgid"])] = fields["msgstr"]
        fields.clear()

    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line:
                flush()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            fields[current] = fields.get(current, "") + line[1:-1]
        elif keyword in ("msgctxt", "msgid", "msgstr", "msgstr[0]"):
            current = "msgstr" if keyword == "msgstr[0]" else keyword
            fields[current] = rest[1:-1]
    return entries


def test_one_msgid_has_one_english_across_apps() -> None:
    seen: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(ROOT.glob("*/locale/en/LC_MESSAGES/django.po")):
        app = path.relative_to(ROOT).parts[0]
        for key, english in _entries(path).items():
            seen[key][english].append(app)
    disagreements = {key[1]: dict(versions) for key, versions in seen.items() if len(versions) > 1}
    assert disagreements == {}


def test_the_reader_sees_a_known_entry() -> None:
    entries = _entries(ROOT / "funding/locale/en/LC_MESSAGES/django.po")
    assert entries[("", "待审核")] == "Pending review"
