"""Every app's pages and the one HTTP API (Django Ninja) at /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from qiancheng.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("qiancheng.accounts.urls")),
    path("catalog/", include("qiancheng.catalog.urls")),
    path("policy/", include("qiancheng.funding.decision_urls")),
    path("", include("qiancheng.evaluation.urls")),
    path("projects/", include("qiancheng.projects.urls")),
    path("institutions/", include("qiancheng.providers.urls")),
    path("demand/", include("qiancheng.demand.urls")),
    path("classes/", include("qiancheng.training.urls")),
    path("money/", include("qiancheng.funding.urls")),
    path("insight/", include("qiancheng.insight.urls")),
    path("risk/", include("qiancheng.risk.urls")),
    path("brands/", include("qiancheng.brands.urls")),
    path("me/", include("qiancheng.portal.my_record_urls")),
    path("", include("qiancheng.portal.urls")),
]

handler403 = "qiancheng.portal.views.forbidden"
handler404 = "qiancheng.portal.views.not_found"
handler500 = "qiancheng.portal.views.server_error"
