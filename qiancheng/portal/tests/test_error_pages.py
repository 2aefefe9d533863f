"""Error pages in the page's language, one language per page; the 500 page renders even when nothing else works."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import path

from qiancheng.portal import views

pytestmark = pytest.mark.django_db


def _forbidden_view(request):
    raise PermissionDenied


def _crashing_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("forbidden/", _forbidden_view), path("crash/", _crashing_view)]
handler403 = "qiancheng.portal.views.forbidden"
handler404 = "qiancheng.portal.views.not_found"
handler500 = "qiancheng.portal.views.server_error"


def test_404_speaks_the_page_language(client: Client) -> None:
    response = client.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "未找到该页面或记录" in page and "No such page or record" not in page
    client.cookies["django_language"] = "en"
    page = client.get("/no/such/page/").content.decode()
    assert "No such page or record" in page and "未找到该页面或记录" not in page


@pytest.mark.urls(__name__)
def test_403_speaks_the_page_language(client: Client) -> None:
    response = client.get("/forbidden/")
    page = response.content.decode()
    assert response.status_code == 403 and "无权访问" in page and "You may not open this page" not in page
    page = client.get("/forbidden/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You may not open this page" in page and "无权访问" not in page


@pytest.mark.urls(__name__)
def test_500_speaks_the_page_language_and_needs_no_request_context() -> None:
    browser = Client(raise_request_exception=False)
    response = browser.get("/crash/")
    page = response.content.decode()
    assert response.status_code == 500 and "服务器内部错误" in page and "Something went wrong" not in page
    page = browser.get("/crash/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Something went wrong" in page and "服务器内部错误" not in page


def test_the_500_handler_renders_without_a_session_or_user() -> None:
    request = RequestFactory().get("/")
    response = views.server_error(request)
    assert response.status_code == 500 and b"/static/web/qiancheng.css" in response.content
