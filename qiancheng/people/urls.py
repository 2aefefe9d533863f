"""The trainee's own pages, mounted at /me/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.people import views
from qiancheng.web.navigation import add_link

app_name = "people"
urlpatterns = [
    path("classes/", views.my_classes, name="my_classes"),
    path("certificates/", views.my_certificates, name="my_certificates"),
    path("payments/", views.my_payments, name="my_payments"),
]

# Registered with the URLs so that the links exist whenever the pages do.
add_link(_("我的培训"), "people:my_classes", {Role.TRAINEE}, order=10)
add_link(_("我的证书"), "people:my_certificates", {Role.TRAINEE}, order=20)
add_link(_("我的补贴"), "people:my_payments", {Role.TRAINEE}, order=30)
