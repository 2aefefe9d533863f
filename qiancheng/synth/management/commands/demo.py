"""`qiancheng demo`: a database in the data folder, a synthetic province, one login per role, the site.

Idempotent: a second run migrates (nothing to do), finds the same province and the same logins, and
serves. `--reset` deletes the embedded database (never the keys) and starts over.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections

from qiancheng.env import data_dir

if TYPE_CHECKING:
    from qiancheng.synth.models import SynthRun

DEFAULT_PEOPLE = 3_000
DEFAULT_SEED = 2025


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def login_table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("角色 Role", "用户名 Username", "密码 Password", "验证器密钥 Authenticator secret")
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    line = "-+-".join("-" * w for w in widths)
    out = [line, " | ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)), line]
    out += [" | ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join([*out, line])


class Command(BaseCommand):
    help = "演示：建库、合成省份、各角色账号并启动网站 / demo: database, synthetic province, a login per role, and the site"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="端口 / port (8000)")
        parser.add_argument("--no-serve", action="store_true", help="填充后不启动网站 / stop after filling")
        parser.add_argument("--reset", action="store_true",
                            help="删除演示数据库后重来（保留密钥）/ delete the demo database and start over (keys kept)")
        parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE,
                            help=f"合成人数 / synthetic trainees ({DEFAULT_PEOPLE:,})")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子 / seed ({DEFAULT_SEED})")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        folder = data_dir()
        if options["people"] < 1:
            raise CommandError("--people 至少为 1 / --people must be at least 1")
        if options["reset"]:
            self._reset(folder)
        self.stdout.write(f"数据文件夹 / data folder: {folder}")
        call_command("migrate", interactive=False, verbosity=0)
        run = self._province(options["people"], options["seed"])
        from qiancheng.synth.logins import ensure_logins

        logins, created = ensure_logins(folder)
        self._rate(run.as_of)
        from qiancheng.synth.stories import ensure_money_stories

        ensure_money_stories(run.as_of, self.stdout.write)
        from qiancheng.synth.targets import ensure_demo_targets

        ensure_demo_targets(run.as_of, self.stdout.write)  # 1a at the demo's size (docs/statistics.md)
        from qiancheng.insight.statistics_refresh import refresh

        refresh(None, None, "demo")  # the figures as the demo opens: the stories' claims counted too
        rows = [(login.label, login.username, login.password, login.totp_secret) for login in logins]
        self.stdout.write(login_table(rows))
        self.stdout.write(
            "人社部门账户登录后需输入两步验证码：把上表的密钥加入任一身份验证器应用（或运行 qiancheng democode <用户名>）/ "
            "officials are asked for a second-factor code after the password: add the secret above to any "
            "authenticator app (or run qiancheng democode <username>)"
        )
        self.stdout.write(
            f"{'已创建' if created else '沿用'}账号 / logins {'created' if created else 'reused'}; "
            f"保存在 / kept in {folder / 'demo-logins.txt'} (0600)"
        )
        self.stdout.write(f"准备用时 / ready in {time.perf_counter() - started:.1f} s")
        if not options["no_serve"]:
            from qiancheng.portal.management.commands.serve import serve

            serve("127.0.0.1", options["port"], announce=self.stdout.write)

    def _rate(self, as_of: dt.date) -> None:
        """1c: the star ratings of the province's month, by the published formula (idempotent: a month already
        rated is kept), before the stories, whose credit advance reads the rating in force."""
        from qiancheng.clock import today

        call_command("rate", month=[f"{min(as_of, today()):%Y-%m}"], stdout=self.stdout)

    def _province(self, people: int, seed: int) -> SynthRun:
        from qiancheng.catalog.services import load_catalog
        from qiancheng.synth.load import SynthError, ensure_province

        load_catalog()
        try:
            run, created = ensure_province(people, seed, progress=True)
        except SynthError as error:
            raise CommandError(f"{error}\n（演示 / demo: qiancheng demo --reset）") from error
        verb = "已生成 / generated" if created else "沿用 / reusing"
        self.stdout.write(f"合成省份 / synthetic province {verb}: seed {run.seed}, {run.people:,} people, "
                          f"as of {run.as_of}")
        return run

    def _reset(self, folder: Path) -> None:
        """Delete the embedded SQLite database and the logins file; the keys stay (they seal nothing now)."""
        if connection.vendor != "sqlite":
            raise CommandError(
                "--reset 只用于数据文件夹中的内置 SQLite 数据库；PostgreSQL 请新建一个数据库 / --reset works on the "
                "embedded SQLite database only; for PostgreSQL, create a fresh database"
            )
        database = Path(settings.DATABASES["default"]["NAME"])
        connections.close_all()
        for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm"),
                     folder / "demo-logins.txt"):
            path.unlink(missing_ok=True)
        self.stdout.write(f"已删除演示数据库 / removed the demo database: {database}")
