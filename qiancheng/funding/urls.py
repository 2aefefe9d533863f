"""Pages of the funding app."""

from django.urls import path  # noqa: F401  (pages are added here)

app_name = "funding"
urlpatterns: list = []
