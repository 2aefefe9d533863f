"""Certificate pages: public verification and the scoped printable certificate."""

from django.urls import path

from qiancheng.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("verify/<str:number>/", views.verify, name="verify"),
    path("certificates/<str:number>/", views.certificate_print, name="certificate"),
]
