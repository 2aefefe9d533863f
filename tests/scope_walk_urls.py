"""A URLconf for tests/test_scope_everywhere.py's self-check: one view forgets the scope, one does not."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from qiancheng.accounts.scope import get_scoped_or_404, public
from qiancheng.providers.models import Institution


def leaky(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(get_object_or_404(Institution, pk=pk).name)


def scoped(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(get_scoped_or_404(Institution, request.user, pk=pk).name)


@public
def published(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(get_object_or_404(Institution, pk=pk).name)


urlpatterns = [
    path("leaky/<int:pk>/", leaky),
    path("scoped/<int:pk>/", scoped),
    path("published/<int:pk>/", published),
]
