from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.catalog import views
from qiancheng.web.navigation import add_link

app_name = "catalog"

urlpatterns = [
    path("parks/", views.park_list, name="park_list"),
    path("parks/<slug:code>/", views.park_detail, name="park_detail"),
    path("items/", views.item_list, name="item_list"),
    path("items/<str:code>/deactivate/", views.item_deactivate, name="item_deactivate"),
]

add_link(_("园区名单"), "catalog:park_list", {Role.PROVINCE_OFFICIAL}, order=47)
add_link(_("专项职业能力项目"), "catalog:item_list", {Role.PROVINCE_OFFICIAL}, order=46)
