"""The progress page, mounted at /insight/ by qiancheng/urls.py."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.insight import (
    class_share,
    gap_history_views,
    gap_views,
    matching_urls,
    optional_target_views,
    report_card_views,
    statistics_urls,
    views,
    what_if_views,
)
from qiancheng.training.class_tabs import add_class_tab
from qiancheng.web.navigation import PUBLIC, add_link

app_name = "insight"

urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("progress/optional-targets/check/", optional_target_views.optional_target_check,
         name="optional_target_check"),
    path("progress/optional-targets/", optional_target_views.optional_target_set, name="optional_target_set"),
    path("classes/<int:class_pk>/key-group-share/", class_share.class_share, name="class_share"),
    path("demand-gap/", gap_views.demand_gap_page, name="demand_gap"),
    path("demand-gap/export.xlsx", gap_views.demand_gap_export, name="demand_gap_export"),
    path("demand-gap/history/", gap_history_views.demand_gap_history_page, name="demand_gap_history"),
    path("star-rating/", views.star_rating_formula, name="star_rating"),
    path("rating/", views.ratings, name="ratings"),
    path("rating/<int:snapshot_id>/", views.rating_detail, name="rating_detail"),
    path("rating/<int:snapshot_id>/appeal/", views.rating_appeal, name="rating_appeal"),
    path("rating-appeal/<int:appeal_id>/decision/", views.rating_appeal_decision, name="rating_appeal_decision"),
    path("what-if/", what_if_views.drafts, name="what_if"),
    path("what-if/<int:draft_id>/", what_if_views.draft_page, name="what_if_draft"),
    path("what-if/<int:draft_id>/replays/<int:replay_id>/", what_if_views.replay_page, name="what_if_replay"),
    path("report-card/", report_card_views.report_card_page, name="report_card"),
    path("report-card/<str:view>/", report_card_views.report_card_page, name="report_card_view"),
    path("report-card/<str:view>.xlsx", report_card_views.report_card_export, name="report_card_export"),
]
urlpatterns += matching_urls.urlpatterns
urlpatterns += statistics_urls.urlpatterns

# The URLconf is loaded before any page renders its navigation bar, so the link is there in time.
add_link(_("培训进度"), "insight:progress", {"province_official", "city_official"}, order=15)
add_link(_("技能需求缺口"), "insight:demand_gap", {"province_official", "city_official"}, order=17)
add_link(_("星级评定"), "insight:ratings", {"province_official", "city_official", "institution"}, order=16)
add_link(_("参数测算"), "insight:what_if", {"province_official"}, order=18)
add_link(_("培训质量公开"), "insight:report_card", {PUBLIC}, order=87)
add_link(_("星级评定办法"), "insight:star_rating", {PUBLIC}, order=88)
# 2.1b before a class opens: the class page's tab with what its roster would do to its city's share.
add_class_tab("key_group_share", _("重点群体占比"), "insight:class_share", kwarg="class_pk", order=60,
              shown=class_share.may_read)
