"""Institution pages, mounted at /institutions/: registration, the workspace, the city's review (1c, 3.4c)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.providers import views
from qiancheng.web.navigation import PUBLIC, add_link
from qiancheng.web.queues import add_queue

app_name = "providers"
urlpatterns = [
    path("", views.institution_list, name="list"),
    path("register/", views.register, name="register"),
    path("queue/", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("mine/capacity/", views.capacity, name="capacity"),
    path("mine/documents/", views.document_upload, name="document_upload"),
    path("mine/venues/", views.venue_add, name="venue_add"),
    path("mine/teachers/", views.teacher_add, name="teacher_add"),
    path("mine/resubmit/", views.resubmit, name="resubmit"),
    path("mine/renew/", views.renew, name="renew"),
    path("mine/registry-facts/", views.registry_facts, name="registry_facts"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("documents/<int:pk>/remove/", views.document_remove, name="document_remove"),
    path("venues/<int:pk>/remove/", views.venue_remove, name="venue_remove"),
    path("teachers/<int:pk>/release/", views.teacher_release, name="teacher_release"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/discipline/", views.discipline, name="discipline"),
]

# Registered with the URLs so that links and the queue exist whenever the pages do.
add_link(_("本机构"), "providers:mine", {Role.INSTITUTION}, order=10)
add_link(_("培训机构"), "providers:list", {Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=20)
add_link(_("机构注册"), "providers:register", {PUBLIC}, order=86)
add_queue("institutions", _("机构认定申请"), "providers:queue", views.pending_institutions, since="submitted_at",
          roles={Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=10)
