"""Demand pages, mounted at /demand/: enterprise registration and review, census rounds (1c, 4.1)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.demand import views, worker_views
from qiancheng.web.navigation import PUBLIC, add_link
from qiancheng.web.queues import add_queue

app_name = "demand"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("mine/", views.mine, name="mine"),
    path("mine/registry-facts/", views.registry_facts, name="registry_facts"),
    path("template.xlsx", views.template_download, name="template"),
    path("queue/", views.queue, name="queue"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/review/", views.review, name="review"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/open/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/report/", views.report_add, name="report_add"),
    path("rounds/<int:pk>/upload/", views.report_upload, name="report_upload"),
    path("my-skills/", worker_views.my_needs, name="my_needs"),
    path("consent/", worker_views.consent, name="consent"),
    path("consent/give/", worker_views.consent_give, name="consent_give"),
    path("consent/withdraw/", worker_views.consent_withdraw, name="consent_withdraw"),
    path("worker-needs/", worker_views.worker_needs, name="worker_needs"),
]

# Registered with the URLs so that links and the queue exist whenever the pages do.
add_link(_("本企业"), "demand:mine", {Role.ENTERPRISE}, order=10)
add_link(_("需求普查"), "demand:rounds", {Role.ENTERPRISE, Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=25)
add_link(_("企业注册"), "demand:register", {PUBLIC}, order=87)
add_link(_("我的技能需求"), "demand:my_needs", {Role.TRAINEE}, order=22)
add_link(_("企业联系授权"), "demand:consent", {Role.TRAINEE}, order=24)
add_link(_("劳动者技能需求"), "demand:worker_needs", {Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=26)
add_queue("enterprises", _("企业注册审核"), "demand:queue", views.pending_enterprises, since="submitted_at",
          roles={Role.CITY_OFFICIAL}, order=12)
