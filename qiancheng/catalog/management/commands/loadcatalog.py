"""`qiancheng loadcatalog`: load the shipped catalog data (idempotent; never overwrites officials' edits)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qiancheng.catalog.services import load_catalog


class Command(BaseCommand):
    help = "载入目录数据（可重复执行，不覆盖已编辑的清单）/ Load the catalog data (idempotent, keeps officials' edits)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default="default", help="database alias / 数据库别名")

    def handle(self, *args: Any, **options: Any) -> None:
        written = load_catalog(using=options["database"])
        for model_name, count in written.items():
            self.stdout.write(f"{model_name}: {count} 行写入 / rows written")
        if not any(written.values()):
            self.stdout.write(self.style.SUCCESS("目录已是最新 / catalog already up to date"))
