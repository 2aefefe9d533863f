"""The decision pages (a claim's decision, the parameters in force), mounted at /policy/ by qiancheng/urls.py.

They read stored claims, funds and scope, all of which sit above the engine, so they live in funding;
the namespace stays `policy` so that every link and bookmark keeps working.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.funding.views import decisions as views
from qiancheng.web.navigation import add_link

app_name = "policy"

urlpatterns = [
    path("claims/<str:number>/", views.claim_decision, name="claim_decision"),
    path("claims/<str:number>/decide/", views.decide_again, name="decide_again"),
    path("parameters/", views.parameters, name="parameters"),
]

# The URLconf is loaded before any page renders its navigation bar, so the link is there in time.
add_link(_("补贴参数"), "policy:parameters", {"province_official", "city_official"}, order=70)
