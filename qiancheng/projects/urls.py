"""Project training pages, mounted at /projects/, with their navigation links and review queues."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.projects import park_views, progress, views
from qiancheng.projects.models import Project
from qiancheng.web.navigation import PUBLIC, add_link
from qiancheng.web.queues import add_queue

app_name = "projects"
urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("queue/", views.queue, name="queue"),
    path("choices/", views.choices, name="choices"),
    path("confirmations/", views.confirmations, name="confirmations"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/choose/", views.choose, name="choose"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/deliver/", views.deliver, name="deliver"),
    path("parks/", park_views.parks, name="parks"),
    path("parks/<slug:code>/", park_views.park, name="park"),
    path("parks/<slug:code>/operator/", park_views.appoint, name="park_appoint"),
]

OFFICIALS = {Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}

# Registered with the URLs so that the links and queues exist whenever the pages do (the app has no
# AppConfig.ready()).
add_link(_("项目制培训目录"), "projects:catalogue", {PUBLIC}, order=85)
add_link(_("我的项目"), "projects:mine", {Role.ENTERPRISE}, order=20)
add_link(_("项目申报审核"), "projects:queue", OFFICIALS, order=40)
add_link(_("承训申请"), "projects:deliveries", {Role.INSTITUTION}, order=40)
add_link(_("园区"), "projects:parks", {Role.ENTERPRISE, *OFFICIALS}, order=27)

add_queue("projects", _("项目申报待审核"), "projects:queue",
          lambda user: progress.awaiting_review(scoped(Project, user)), since="submitted_at", roles=OFFICIALS,
          order=40)
add_queue("project_choices", _("项目待选定承训机构"), "projects:choices",
          lambda user: progress.awaiting_choice(scoped(Project, user)), since="first_applied", roles=OFFICIALS,
          order=41)
add_queue("project_confirmations", _("项目待确认培训效果"), "projects:confirmations",
          lambda user: progress.awaiting_city_confirmation(scoped(Project, user)), since="training_ended",
          roles=OFFICIALS, order=42)
