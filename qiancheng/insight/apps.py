"""The insight app: targets, the key-group share, progress (issue 11)."""

from __future__ import annotations

from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "qiancheng.insight"
    label = "insight"
    verbose_name = "统计与目标 Insight"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from qiancheng.accounts import scope
        from qiancheng.accounts.models import Role
        from qiancheng.funding.claim_changes import on_claims_changed
        from qiancheng.insight.demand_gap import unanswered_reports
        from qiancheng.insight.figures import cities_below_share
        from qiancheng.insight.models import RatingAppeal, RatingSnapshot, Target
        from qiancheng.insight.plan_models import IndustryPlan, IndustryPlanLine
        from qiancheng.insight.services import pending_rating_appeals, rating_in_force
        from qiancheng.insight.statistics_refresh import after_claims_changed
        from qiancheng.providers.ratings import register_rating_reader
        from qiancheng.web.queues import add_queue

        # A city official reads the city's own splits; the province's own entries (city None) are the province's.
        scope.register(Target, city="city")
        # 1c: a city reads its institutions' ratings, an institution its own.
        scope.register(RatingSnapshot, city="city", institution="institution")
        # 3.6, 3.4c: the consumers below read the snapshot in force through providers.ratings.
        register_rating_reader(rating_in_force)
        scope.register(RatingAppeal, city="city", institution="institution")
        # 6: an industry's training plan is province-wide: the province and the industry's own department read it.
        scope.register(IndustryPlan, city=None, industry="industry")
        scope.register(IndustryPlanLine, city=None, industry="plan__industry")
        # 1c: an institution's appeal against its rating waits for its city (or the province).
        add_queue("rating_appeals", _("星级评定申诉"), "insight:ratings", pending_rating_appeals, since="filed_at",
                  roles={Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=91)
        # 2.1b: the cities whose key-group share this year is under the plan's minimum wait for the province.
        add_queue("key_group_share", _("重点群体占比低于要求的城市"), "insight:progress", cities_below_share,
                  since="below_since", roles={Role.PROVINCE_OFFICIAL}, order=90)
        # The statistics' pre-aggregate: a committed change of counted claims queues a refresh of their years.
        on_claims_changed("insight.statistics", after_claims_changed)
        # 1c: reported demand that no class of its occupation and level in its city answers within the days in
        # force (insight/demand_gap.yaml, local practice) waits for the city, oldest first.
        add_queue("unanswered_demand", _("无培训班承接的需求"), "insight:demand_gap", unanswered_reports,
                  since="filed_at", roles={Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=92)
