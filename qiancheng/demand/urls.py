"""Demand pages, mounted at /demand/: enterprise registration and review, census rounds (1c, 4.1)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.demand import views
from qiancheng.web.navigation import PUBLIC, add_link
from qiancheng.web.queues import add_queue

app_name = "demand"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("mine/", views.mine, name="mine"),
    path("template.xlsx", views.template_download, name="template"),
    path("queue/", views.queue, name="queue"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/review/", views.review, name="review"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/open/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/report/", views.report_add, name="report_add"),
    path("rounds/<int:pk>/upload/", views.report_upload, name="report_upload"),
]

# Registered with the URLs so that links and the queue exist whenever the pages do.
add_link(_("本企业"), "demand:mine", {Role.ENTERPRISE}, order=10)
add_link(_("需求普查"), "demand:rounds", {Role.ENTERPRISE, Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=25)
add_link(_("企业注册"), "demand:register", {PUBLIC}, order=87)
add_queue("enterprises", _("企业注册审核"), "demand:queue", views.pending_enterprises, since="submitted_at",
          roles={Role.CITY_OFFICIAL}, order=12)
