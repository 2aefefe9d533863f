"""Certificate pages (public verification, printable certificate and PDF), class results and certificate import."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.evaluation import views
from qiancheng.training.class_tabs import add_class_tab
from qiancheng.web.navigation import PUBLIC, add_link

app_name = "evaluation"

urlpatterns = [
    path("verify/", views.verify_search, name="verify_search"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("certificates/<str:number>.pdf", views.certificate_pdf_view, name="certificate_pdf"),
    path("certificates/<str:number>/", views.certificate_print, name="certificate"),
    path("certificates/<str:number>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("evaluation/classes/", views.class_list, name="class_list"),
    path("evaluation/classes/<int:class_pk>/results/", views.class_results, name="class_results"),
    path("evaluation/certificates/import/", views.certificate_import, name="certificate_import"),
    path("evaluation/certificates/import/template.xlsx", views.certificate_import_template,
         name="certificate_import_template"),
]

# Registered with the URLs so that the links exist whenever the pages do (the app has no AppConfig.ready()).
add_link(_("考核与发证"), "evaluation:class_list",
         {Role.INSTITUTION, Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=40)
add_link(_("证书导入"), "evaluation:certificate_import", {Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}, order=45)
add_link(_("证书查验"), "evaluation:verify_search", {PUBLIC}, order=90)
add_class_tab("assessment", _("考核"), "evaluation:class_results", kwarg="class_pk", order=40,
              shown=lambda user, training: user.role in views.RESULT_READERS
              and training.status in views.RESULT_CLASS_STATES)
