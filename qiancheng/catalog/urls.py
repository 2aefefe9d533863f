from django.urls import path

from qiancheng.catalog import views

app_name = "catalog"

urlpatterns = [
    path("parks/", views.park_list, name="park_list"),
    path("parks/<slug:code>/", views.park_detail, name="park_detail"),
]
