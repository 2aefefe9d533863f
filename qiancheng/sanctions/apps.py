"""The sanctions app: the register of listings (6d)."""

from __future__ import annotations

from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "qiancheng.sanctions"
    label = "sanctions"
    verbose_name = "处理与黑名单 Sanctions register"
