"""`qiancheng audit verify [--anchor FILE]` and `qiancheng audit anchor [--out FILE]`.

verify recomputes the hash chain and exits 1 naming the first broken entry; with an anchor it also
checks that the entry the anchor saw is still there with its hash (a truncated trail still links).
anchor prints the chain's head (for a printed register) and, with --out, writes it to a file kept
outside the database (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiancheng.accounts.audit import Anchor, anchor_problem, take_anchor, verify_chain


class Command(BaseCommand):
    help = "审计记录链校验与锚定 / Check the audit trail's hash chain (verify) or write its head down (anchor)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"],
                            help="verify: recompute every hash in order; anchor: print (and save) the chain's head")
        parser.add_argument("--anchor", type=Path, help="verify: an anchor file written earlier by `audit anchor`")
        parser.add_argument("--out", type=Path, help="anchor: the file to write the anchor to")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "anchor":
            self._anchor(options["out"])
        else:
            self._verify(options["anchor"])

    def _anchor(self, out: Path | None) -> None:
        anchor = take_anchor()
        if out is not None:
            out.write_text(anchor.as_text() + "\n", encoding="utf-8")
        self.stdout.write(f"审计锚点 / audit anchor: seq {anchor.seq} hash {anchor.hash} at {anchor.taken_at}"
                          + (f" → {out}" if out is not None else ""))

    def _verify(self, anchor_file: Path | None) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"审计链在第 {result.first_bad_seq} 条断开 / audit chain broken at seq {result.first_bad_seq} "
                f"({result.checked} entries verified before it): {result.reason}",
                returncode=1,
            )
        if anchor_file is not None:
            try:
                anchor = Anchor.from_text(anchor_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"{anchor_file}: {error}", returncode=2) from error
            problem = anchor_problem(anchor)
            if problem:
                raise CommandError(problem, returncode=1)
            self.stdout.write(f"锚点相符 / anchor holds: entry {anchor.seq} of {anchor.taken_at}")
        self.stdout.write(f"审计链完好 / audit chain verified: {result.checked} entries")
