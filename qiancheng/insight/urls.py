"""The progress page, mounted at /insight/ by qiancheng/urls.py."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.insight import views
from qiancheng.web.navigation import add_link

app_name = "insight"

urlpatterns = [
    path("progress/", views.progress, name="progress"),
]

# The URLconf is loaded before any page renders its navigation bar, so the link is there in time.
add_link(_("培训进度"), "insight:progress", {"province_official", "city_official"}, order=15)
