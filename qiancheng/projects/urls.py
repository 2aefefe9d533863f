"""Project training pages, mounted at /projects/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.portal.navigation import PUBLIC, add_link
from qiancheng.projects import views

app_name = "projects"
urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
]

# Registered with the URLs so that the link exists whenever the page does (the app has no AppConfig.ready()).
add_link(_("项目制培训目录"), "projects:catalogue", {PUBLIC}, order=85)
