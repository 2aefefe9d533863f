"""The matching pages (1b), added to insight's URLconf (/insight/...): "为我推荐", "候选人", "供需匹配"."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.insight import matching_views
from qiancheng.web.navigation import add_link

urlpatterns = [
    path("for-me/", matching_views.for_me, name="for_me"),
    path("candidates/", matching_views.candidate_reports, name="candidate_reports"),
    path("candidates/<int:report_id>/", matching_views.candidates, name="candidates"),
    path("candidates/<int:report_id>/<int:candidate_id>/phone/", matching_views.candidate_phone,
         name="candidate_phone"),
    path("matching/", matching_views.city_matching, name="matching"),
]

add_link(_("为我推荐"), "insight:for_me", {Role.TRAINEE}, order=45)
add_link(_("候选人"), "insight:candidate_reports", {Role.ENTERPRISE}, order=30)
add_link(_("供需匹配"), "insight:matching", {Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL}, order=18)
