"""The risk pages, mounted at /risk/ by qiancheng/urls.py."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.risk import views
from qiancheng.web.navigation import add_link

app_name = "risk"

urlpatterns = [
    path("", views.home, name="home"),
    path("candidates/<int:candidate_id>/decide/", views.decide, name="decide"),
    path("candidates/<int:candidate_id>/undo/", views.undo, name="undo"),
    path("cases/<int:case_id>/", views.case, name="case"),
    path("cases/<int:case_id>/note/", views.note, name="note"),
    path("cases/<int:case_id>/close/", views.close, name="close"),
]

add_link(_("风险防控"), "risk:home", {"province_official", "city_official"}, order=60)
