"""The demand app: enterprises, census rounds and demand reports (1c, 4.1)."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.models import Q


class DemandConfig(AppConfig):
    name = "qiancheng.demand"
    label = "demand"
    verbose_name = "用工需求 Demand"

    def ready(self) -> None:
        from qiancheng.accounts.scope import register
        from qiancheng.catalog.models import IndustrialPark
        from qiancheng.demand.models import (
            CensusRound,
            ContactConsent,
            DemandReport,
            DemandReportVersion,
            Enterprise,
            WorkerNeed,
            WorkerNeedVersion,
        )
        from qiancheng.demand.parks import parks_operated_by

        def rounds_of_city(city_id: str) -> Q:
            # a city official sees the province's rounds, its own city's and its parks'
            return Q(scope="province") | Q(city_id=city_id) | Q(park__city_id=city_id)

        def rounds_of_enterprise(enterprise_id: int) -> Q:
            # an enterprise sees the rounds that ask it: the province's, its city's, its park's
            mine = Enterprise.objects.filter(pk=enterprise_id)
            return (Q(scope="province") | Q(city__in=mine.values("city"))
                    | Q(park__in=mine.filter(park__isnull=False).values("park")))

        register(CensusRound, city=rounds_of_city, enterprise=rounds_of_enterprise)
        # 4.1: a park's operating company also reads the demand of every enterprise in its park.
        register(DemandReport, city="enterprise__city",
                 enterprise=lambda key: Q(enterprise=key) | parks_operated_by(key))
        register(DemandReportVersion, city="report__enterprise__city", enterprise="report__enterprise")
        # A park is its city's; its operating company's logins are the park's (demand/parks.py).
        register(IndustrialPark, city="city",
                 enterprise=lambda key: Q(pk__in=Enterprise.objects.filter(pk=key, is_park_operator=True)
                                          .values("park")))
        # A worker's gap is their own and their county's city's (which may report it on their behalf, 1c).
        register(WorkerNeed, city="county__city", person="person")
        register(WorkerNeedVersion, city="need__county__city", person="need__person")
        # A consent is the person's own; enterprises read consenting candidates through insight.matching only.
        register(ContactConsent, city=None, person="person")
