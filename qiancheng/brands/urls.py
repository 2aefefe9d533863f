"""Brand pages, mounted at /brands/ (1d, 1e)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.brands import views
from qiancheng.web.navigation import PUBLIC, add_link

app_name = "brands"
urlpatterns = [
    path("", views.registry, name="registry"),
    path("propose/", views.propose, name="propose"),
    path("published/", views.published, name="published"),
    path("published/<int:pk>/", views.published_brand, name="published_brand"),
    path("<int:pk>/", views.brand, name="brand"),
    path("<int:pk>/link/", views.link, name="link"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]

add_link(_("培训品牌"), "brands:registry", {Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=48)
add_link(_("培训品牌展示"), "brands:published", {PUBLIC}, order=86)
