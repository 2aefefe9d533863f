"""Pages of the people app."""

from django.urls import path  # noqa: F401  (pages are added here)

app_name = "people"
urlpatterns: list = []
