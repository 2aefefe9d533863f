from django.urls import path

from qiancheng.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("occupations/", views.occupations, name="occupations"),
    path("queues/", views.queues, name="queues"),
]
