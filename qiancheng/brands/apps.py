"""The brands app: the training-brand registry (培训品牌, 1d) and its figures (1e 宣传推广)."""

from __future__ import annotations

from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "qiancheng.brands"
    label = "brands"
    verbose_name = "培训品牌 Training brands"

    def ready(self) -> None:
        from qiancheng.accounts.scope import register
        from qiancheng.brands.models import TrainingBrand

        # 1d: a city proposes its own brands and reads them; the province reads and publishes all.
        register(TrainingBrand, city="city")
