"""The trainee's own record, mounted at /me/ under the namespace "people" its links have always used."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.portal import my_record
from qiancheng.web.navigation import add_link

app_name = "people"
urlpatterns = [
    path("classes/", my_record.my_classes, name="my_classes"),
    path("certificates/", my_record.my_certificates, name="my_certificates"),
    path("payments/", my_record.my_payments, name="my_payments"),
    path("record/", my_record.my_lifelong_record, name="my_record"),
    path("record.pdf", my_record.my_lifelong_record_pdf, name="my_record_pdf"),
]

# Registered with the URLs so that the links exist whenever the pages do.
add_link(_("我的培训"), "people:my_classes", {Role.TRAINEE}, order=10)
add_link(_("我的证书"), "people:my_certificates", {Role.TRAINEE}, order=20)
add_link(_("我的补贴"), "people:my_payments", {Role.TRAINEE}, order=30)
add_link(_("终身职业技能档案"), "people:my_record", {Role.TRAINEE}, order=40)
