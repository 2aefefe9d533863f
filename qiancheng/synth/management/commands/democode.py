"""`qiancheng democode <username>`: the six-digit code a demo official's authenticator app shows now.

For trying the demo without a phone. It reads the secret from the demo logins file only
(`<data dir>/demo-logins.txt`, written by `qiancheng demo`), never from the database, so it works for the
demo's logins and for nothing else.
"""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from qiancheng.env import data_dir
from qiancheng.synth.logins import LOGINS_FILE, read_rows


class Command(BaseCommand):
    help = "演示账号当前的两步验证码 / the current second-factor code of a demo official"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="演示账号用户名 / a demo login (province, nanning, nanning2, liuzhou)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = data_dir() / LOGINS_FILE
        fields = read_rows(path).get(options["username"])
        secret = fields[2].strip() if fields and len(fields) >= 3 else ""
        if not secret:
            raise CommandError(f"{path} 中没有该账号的验证器密钥 / no authenticator secret for "
                               f"{options['username']!r} in {path} (qiancheng demo writes it for officials)")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        self.stdout.write(f"{TOTP(key).token():06d}")
