"""The statistics page, its .xlsx and an industry's plan (6a, 6), added to the insight URLconf."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.insight import statistics_views
from qiancheng.web.navigation import add_link

urlpatterns = [
    path("statistics/", statistics_views.statistics_page, name="statistics"),
    path("statistics/export.xlsx", statistics_views.statistics_export, name="statistics_export"),
    path("industry-plan/", statistics_views.industry_plan, name="industry_plan"),
]

add_link(_("培训统计"), "insight:statistics", {"province_official", "city_official", "industry_department"},
         order=14)
add_link(_("行业培训计划"), "insight:industry_plan", {"province_official", "industry_department"}, order=19)
