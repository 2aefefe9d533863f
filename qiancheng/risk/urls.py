"""The risk pages, mounted at /risk/ by qiancheng/urls.py."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.risk import case_views, views
from qiancheng.web.navigation import PUBLIC, add_link

app_name = "risk"

urlpatterns = [
    path("", views.home, name="home"),
    path("scan/", views.scan, name="scan"),
    path("candidates/<int:candidate_id>/decide/", views.decide, name="decide"),
    path("candidates/<int:candidate_id>/undo/", views.undo, name="undo"),
    path("cases/<int:case_id>/", case_views.case, name="case"),
    path("cases/<int:case_id>/note/", case_views.note, name="note"),
    path("cases/<int:case_id>/evidence/", case_views.evidence, name="evidence_add"),
    path("cases/<int:case_id>/evidence/<int:evidence_id>/", case_views.evidence_download, name="evidence"),
    path("cases/<int:case_id>/decide/", case_views.decide, name="decide_case"),
    path("cases/<int:case_id>/lift/", case_views.lift, name="lift"),
    path("notices/", case_views.notices, name="notices"),
]

add_link(_("风险防控"), "risk:home", {"province_official", "city_official"}, order=60)
add_link(_("违规机构公开通报"), "risk:notices", {PUBLIC}, order=89)
