"""Every page and API endpoint with an id in its URL: a 柳州 official asking for a 南宁 record gets the
same 404 as for a record that does not exist.

The walk reads Django's URL resolver, so it covers pages and endpoints added after it was written.
Each id-taking route is called with the identifiers (pk, and unique text fields such as claim numbers
and USCCs) of every 南宁 record of every registered model that no 柳州 record shares, and with an id
that exists nowhere; the answers must be 404 and identical. A GET that
is not allowed is retried as a POST (an action on a record must not reveal it either). Views marked
`qiancheng.accounts.scope.public` (published data) and the back office (`admin/`, staff only) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from qiancheng.accounts.scope import registered_models, scoped
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.accounts.tests.two_cities import build_two_cities
from qiancheng.providers.models import Institution

pytestmark = pytest.mark.django_db

MISSING_INT = "999999999"
MISSING_STR = "0" * 64


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "api/v1/claims/<int:claim_id>"
    converters: dict[str, Any]
    callback: Callable[..., Any]

    def url(self, value: str) -> str:
        path = self.template
        for name in self.converters:
            path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
        return "/" + path

    @property
    def takes_int(self) -> bool:
        return all(isinstance(converter, IntConverter) for converter in self.converters.values())


def _walk(patterns: list, prefix: str = "", converters: dict | None = None) -> Iterator[Route]:
    for entry in patterns:
        route = str(entry.pattern)
        found = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + route, found)
        elif isinstance(entry, URLPattern) and found:
            yield Route(prefix + route, found, entry.callback)


def _view_functions(callback: Callable[..., Any]) -> list[Callable[..., Any]]:
    """The functions behind a URL: the view itself, or each operation of a Django Ninja path."""
    functions = [callback]
    for cell in getattr(callback, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations:
            functions.extend(operation.view_func for operation in operations)
    return functions


def _is_public(route: Route) -> bool:
    return route.template.startswith("admin/") or any(
        getattr(function, "scope_public", False) for function in _view_functions(route.callback)
    )


def id_routes() -> list[Route]:
    return [route for route in _walk(get_resolver().url_patterns) if not _is_public(route)]


def _identifiers(model: type[models.Model], queryset: models.QuerySet) -> set[str]:
    """Every value a URL might name a record by: its pk and its unique text fields (claim number, USCC…)."""
    names = [model._meta.pk.name] + [
        field.name for field in model._meta.concrete_fields
        if field.unique and not field.primary_key and isinstance(field, models.CharField)
    ]
    found: set[str] = set()
    for row in queryset.values_list(*names):
        found |= {str(value) for value in row if value not in (None, "")}
    return found


@pytest.fixture
def nanning_only_ids(liuzhou_official) -> dict[bool, set[str]]:
    """Ids of 南宁 records that are not the id of anything 柳州 may see, keyed by whether they are whole numbers."""
    nanning, _ = build_two_cities()
    return _nanning_only(registered_models(), nanning, liuzhou_official)


def _nanning_only(models_: list[type[models.Model]], nanning: Any, official: Any) -> dict[bool, set[str]]:
    theirs: set[str] = set()
    ours: set[str] = set()
    for model in models_:
        theirs |= _identifiers(model, model._default_manager.filter(pk__in=nanning.pks(model)))
        ours |= _identifiers(model, scoped(model, official))
    only = theirs - ours
    return {True: {pk for pk in only if pk.isdigit()}, False: {pk for pk in only if not pk.isdigit()}}


def _ask(client: Client, route: Route, value: str, headers: dict[str, str]) -> tuple[int, bytes]:
    url = route.url(value)
    response = client.get(url, **headers)
    if response.status_code == 405:
        response = client.post(url, data="{}", content_type="application/json", **headers)
    return response.status_code, response.content


def _blank(content: bytes, value: str) -> bytes:
    """The body with `value` blanked wherever it stands alone: a message may echo the id it did not find."""
    echoed = re.compile(rb"(?<![0-9A-Za-z])" + re.escape(value.encode()) + rb"(?![0-9A-Za-z])")
    return echoed.sub(b"<id>", content)


def leaks(client: Client, routes: list[Route], ids: dict[bool, set[str]], token: str) -> list[str]:
    failures = []
    for route in routes:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if route.template.startswith("api/") else {}
        missing_id = MISSING_INT if route.takes_int else MISSING_STR
        missing_status, missing_body = _ask(client, route, missing_id, headers)
        for value in sorted(ids[route.takes_int]):
            status, body = _ask(client, route, value, headers)
            # Both bodies get the same blanking of `value`, so page text that happens to contain it
            # (a "1" in the viewport tag) cannot make two identical pages differ.
            same = _blank(body, value) == _blank(_blank(missing_body, missing_id), value)
            if status != 404 or missing_status != 404 or not same:
                failures.append(f"{route.template} with {value}: {status} (missing id gives {missing_status})")
    return failures


def test_liuzhou_gets_the_same_404_for_every_nanning_id(client: Client, login, liuzhou_official, nanning_only_ids):
    login(client, liuzhou_official)
    token, _ = issue_api_token(liuzhou_official, second_factor=pass_second_factor(liuzhou_official))
    assert leaks(client, id_routes(), nanning_only_ids, token) == []


@pytest.mark.urls("tests.scope_walk_urls")
def test_the_walk_catches_a_view_that_forgets_the_scope(client: Client, login, liuzhou_official):
    # The self-check's views serve institutions only, so only institution ids are tried: across all models
    # an institution's id may equal the id of some other record 柳州 may see (PostgreSQL keeps counting).
    nanning, _ = build_two_cities()
    ids = _nanning_only([Institution], nanning, liuzhou_official)
    login(client, liuzhou_official)
    token, _ = issue_api_token(liuzhou_official, second_factor=pass_second_factor(liuzhou_official))
    routes = id_routes()
    assert {route.template for route in routes} == {"leaky/<int:pk>/", "scoped/<int:pk>/"}
    failures = leaks(client, routes, ids, token)
    assert failures and all(failure.startswith("leaky/") for failure in failures)
