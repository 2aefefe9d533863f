from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.portal import person_record, views
from qiancheng.web.navigation import ALL_ROLES, PUBLIC, add_link

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("occupations/", views.occupations, name="occupations"),
    path("queues/", views.queues, name="queues"),
    path("people/<str:person_key>/record/", person_record.person_record, name="person_record"),
    path("people/<str:person_key>/record.pdf", person_record.person_record_pdf, name="person_record_pdf"),
]

add_link(_("首页"), "portal:home", ALL_ROLES, order=0)
add_link(_("职业目录"), "portal:occupations", {PUBLIC}, order=80)
add_link(_("待办审核"), "portal:queues", {Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=5)
