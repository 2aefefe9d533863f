"""The filters and orders of the claim lists (web.listing): the review queue and `/money/claims/`.

A province official's lists are grouped by city first (city, then the list's own order); a city official
and a claimant see their own rows, newest or oldest first. Every list is searched by claim number or name.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City
from qiancheng.funding.models import ClaimStatus, FundSource
from qiancheng.web.listing import Filter, Sort

VERDICTS = {"eligible": Q(eligible=True), "denied": Q(eligible=False), "undecided": Q(eligible__isnull=True)}
VERDICT_CHOICES = [("eligible", _("符合条件")), ("denied", _("不予补贴")), ("undecided", _("未判定"))]
SEARCH_FIELDS = ("number", "person__name")
SEARCH_LABEL = _("申领编号或姓名")


def city_filter(user: Any, lookup: str = "city_id") -> list[Filter]:
    """城市, for a province official only (a city official sees one city)."""
    if getattr(user, "role", "") != Role.PROVINCE_OFFICIAL:
        return []
    return [Filter("city", _("城市"), list(City.objects.order_by("code").values_list("code", "name")), lookup=lookup)]


def claim_filters(user: Any, *, status: bool = True, city: bool = True) -> list[Filter]:
    found = [Filter("status", _("状态"), ClaimStatus.choices)] if status else []
    found += [Filter("verdict", _("判定"), VERDICT_CHOICES, where=VERDICTS),
              Filter("fund", _("资金来源"), FundSource.choices)]
    return found + (city_filter(user) if city else [])


def by_city_first(user: Any, sorts: list[Sort], city_field: str = "city_id") -> list[Sort]:
    """For a province official, the first (default) order groups the rows by city, each city in the list's order."""
    if getattr(user, "role", "") != Role.PROVINCE_OFFICIAL:
        return sorts
    grouped = Sort("by_city", _("按城市分组"), (city_field, *sorts[0].order_by))
    return [grouped, *sorts]


def queue_sorts(user: Any) -> list[Sort]:
    return by_city_first(user, [
        Sort("oldest", _("等待最久在前"), ("submitted_at", "pk")),
        Sort("amount_desc", _("金额从高到低"), ("-total_amount", "submitted_at", "pk")),
        Sort("amount_asc", _("金额从低到高"), ("total_amount", "submitted_at", "pk")),
        Sort("denied_first", _("不予补贴在前"), ("eligible", "submitted_at", "pk")),
    ])


def claim_sorts(user: Any) -> list[Sort]:
    return by_city_first(user, [
        Sort("newest", _("最新在前"), ("-submitted_at", "-pk")),
        Sort("oldest", _("最早在前"), ("submitted_at", "pk")),
        Sort("amount_desc", _("金额从高到低"), ("-total_amount", "-pk")),
        Sort("amount_asc", _("金额从低到高"), ("total_amount", "-pk")),
    ])
