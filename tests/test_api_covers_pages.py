"""The API can do what the pages do: every state change a page action makes, some API operation makes too.

Pages and the API are two doors to the same services (DESIGN: "views and API call services"). They
drifted before: a class could be finished (结业) on its page but not through the API, so an API client
could never reach the claim step. This check reads the code, not the running site:

- a *page action* is a view of the URL resolver (outside `admin/` and the API) that accepts POST;
- an *API operation* is any operation of the NinjaAPI at `/api/v1/`;
- a *state change* is a function outside the page and API layers that writes the audit trail
  (`qiancheng.accounts.audit.record_event`, directly or through the functions it calls): every state
  change of this product is audited (standards: "one service writes each state ... with an audit entry");
- what a view or operation *calls* is read with `ast` from its source: every name it uses that is one of
  our functions, followed through the page or API module's own helpers (e.g. `claim_action`) until a
  state change is reached. A read-only service (a preview, a template) is not a state change and is not
  compared.
  A change made through a method (`form.save()`) is not seen: by the standards, state changes are
  service functions, and that is what is compared.

Each state change a page action calls must be called by some API operation, or be listed in
`PAGE_ONLY` with the reason an API equivalent makes no sense. The list is checked both ways: an entry
that the API now covers, or that no page calls any more, fails too, so it cannot go stale.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from collections.abc import Callable, Iterator
from functools import cache
from types import FunctionType
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from qiancheng.accounts.audit import record_event
from qiancheng.api import api

# State changes only a page makes, each with why an API operation for it makes no sense.
PAGE_ONLY: dict[str, str] = {
    "qiancheng.accounts.services.record_logout": (
        "ends a browser session (its cookie); an API client holds no session, it revokes its bearer token "
        "with DELETE /api/v1/auth/token (revoke_api_token)"),
    "qiancheng.accounts.second_factor.confirm_enrolment": (
        "enrolment shows a QR code to scan and confirms it with the first code in the same signed-in browser "
        "session; an API token is issued only after the second factor (POST /api/v1/auth/token with otp), so an "
        "API client has already enrolled"),
    "qiancheng.accounts.second_factor.regenerate_recovery_codes": (
        "recovery codes are shown once to the person at the screen, to write down; handing them to an API "
        "client would put them in another system's memory and logs"),
    "qiancheng.accounts.second_factor.remove_own_second_factor": (
        "turning the second factor off is done in the browser session that passed it; an API token of such a "
        "user was itself issued with the second factor"),
    "qiancheng.accounts.second_factor.reset_second_factor": (
        "a province official resets another official's authenticator after checking who is asking (a lost "
        "phone), on the intranet page, with a reason in the audit entry; no other system should do it"),
    "qiancheng.providers.services.register_institution_with_account": (
        "self-registration creates the institution's first login account with a password, from the public "
        "page; the API is used with a token of an existing account, and registers the institution itself "
        "with POST /api/v1/institutions (register_institution)"),
    "qiancheng.demand.services.register_enterprise_with_account": (
        "self-registration creates the enterprise's first login account with a password, from the public page; "
        "an API client already holds a token of an existing account, and the city reviews the registration with "
        "POST /api/v1/demand/enterprises/{id}/review (review_enterprise)"),
    "qiancheng.funding.services.payment_list.payment_list_xlsx": (
        "the unmasked payment list (ID numbers and bank accounts in clear) is the file the treasury pays from, "
        "exported by a province official on the intranet page, each export an audit event naming the people "
        "(PIPL); the API never hands out clear personal data, so no operation should make it"),
}

SAFE_ONLY = {"require_safe", "require_GET"}
POST_DECORATORS = {"require_POST"}


# ---------------------------------------------------------------- reading the code

@cache
def _source_tree(function: FunctionType) -> ast.AST | None:
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):  # built without source (e.g. generated): nothing to read
        return None


def _ours(value: Any) -> bool:
    return isinstance(value, FunctionType) and value.__module__.startswith("qiancheng.")


def _named(function: FunctionType, node: ast.AST) -> list[Any]:
    """What one node of `function`'s source names: a module-level name, `module.attribute`, or what a
    function-local `from x import y` brings in."""
    scope = sys.modules[function.__module__].__dict__
    if isinstance(node, ast.Name):
        return [scope.get(node.id)]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        base = scope.get(node.value.id)
        return [getattr(base, node.attr, None)] if inspect.ismodule(base) else []
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qiancheng."):
        module = sys.modules.get(node.module) or __import__(node.module, fromlist=["*"])
        return [getattr(module, alias.name, None) for alias in node.names]
    return []


def referenced(function: FunctionType) -> list[Any]:
    """Our functions (and `record_event`) that `function`'s source names, in order, once each."""
    tree = _source_tree(function)
    if tree is None:
        return []
    found: list[Any] = []
    for node in ast.walk(tree):
        for value in _named(function, node):
            if (value is record_event or _ours(value)) and value not in found:
                found.append(inspect.unwrap(value))
    return found


def _in_door_layer(function: FunctionType) -> bool:
    """Pages and API handlers (and their helpers): the doors, never a state change themselves."""
    parts = function.__module__.split(".")
    return any(part in ("views", "api", "urls") for part in parts[2:]) or parts[-1] in ("views", "api")


_AUDITED: dict[FunctionType, bool] = {}


def writes_audit(function: FunctionType, visiting: set[FunctionType] | None = None) -> bool:
    """Whether `function` records an audit entry, itself or through what it calls."""
    if function in _AUDITED:
        return _AUDITED[function]
    top = visiting is None
    visiting = set() if visiting is None else visiting
    if function in visiting:  # a cycle: the answer comes from the other paths
        return False
    visiting.add(function)
    answer = any(value is record_event or writes_audit(value, visiting) for value in referenced(function))
    if top or answer:  # an answer cut short by a cycle is not kept
        _AUDITED[function] = answer
    return answer


def state_changes(entry: Callable[..., Any], seen: set[FunctionType] | None = None) -> set[str]:
    """The state changes a view or operation calls: the first audited function outside the doors on each path."""
    seen = set() if seen is None else seen
    function = inspect.unwrap(entry)
    if function in seen:
        return set()
    seen.add(function)
    found: set[str] = set()
    for value in referenced(function):
        if value is record_event:
            continue
        if not _in_door_layer(value) and writes_audit(value):
            found.add(f"{value.__module__}.{value.__qualname__}")
        else:
            found |= state_changes(value, seen)
    return found


# ---------------------------------------------------------------- the two doors

def _decorators(function: FunctionType) -> set[str]:
    tree = _source_tree(function)
    definition = tree.body[0] if tree is not None and tree.body else None
    names: set[str] = set()
    for decorator in getattr(definition, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        names.add(target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", ""))
        if isinstance(decorator, ast.Call) and "POST" in ast.unparse(decorator):
            names.add("require_POST")
    return names


def accepts_post(view: Callable[..., Any]) -> bool:
    """A view that takes POST: decorated so, or undecorated and reading the request's method or body."""
    function = inspect.unwrap(view)
    decorators = _decorators(function)
    if decorators & POST_DECORATORS:
        return True
    if decorators & SAFE_ONLY or "require_http_methods" in decorators:
        return False
    source = inspect.getsource(function)
    return any(mark in source for mark in ("request.POST", "request.FILES", "request.method"))


def _patterns(entries: list[Any], prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def page_actions() -> dict[str, set[str]]:
    """Each of our POST views (by route) with the state changes it calls."""
    actions = {}
    for route, view in _patterns(get_resolver().url_patterns):
        function = inspect.unwrap(view)
        if route.startswith(("admin/", "api/")) or not _ours(function) or not accepts_post(view):
            continue
        actions[route] = state_changes(view)
    return actions


def api_operations() -> dict[str, set[str]]:
    """Each API operation ("POST /classes/{int:class_id}/finish") with the state changes it calls."""
    operations = {}
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                operations[f"{'/'.join(operation.methods)} {prefix}{path}"] = state_changes(operation.view_func)
    return operations


def uncovered(pages: dict[str, set[str]], operations: dict[str, set[str]]) -> dict[str, list[str]]:
    """State changes some page calls and no API operation does, with the pages that call them."""
    through_api = set().union(*operations.values())
    missing: dict[str, list[str]] = {}
    for route, changes in sorted(pages.items()):
        for change in sorted(changes - through_api - PAGE_ONLY.keys()):
            missing.setdefault(change, []).append(route)
    return missing


# ---------------------------------------------------------------- the checks

def test_every_state_change_of_a_page_is_also_made_through_the_api() -> None:
    missing = uncovered(page_actions(), api_operations())
    assert not missing, "page actions with no API operation calling the same service (add one, or list it in " \
        "PAGE_ONLY with the reason an API makes no sense):\n" + "\n".join(
            f"  {change}  <- {', '.join(routes)}" for change, routes in missing.items())


def test_the_page_only_list_holds_only_what_pages_still_do_alone() -> None:
    by_pages = set().union(*page_actions().values())
    through_api = set().union(*api_operations().values())
    stale = {change for change in PAGE_ONLY if change not in by_pages or change in through_api}
    assert not stale, f"PAGE_ONLY entries no page calls alone any more: {sorted(stale)}"


def test_the_reading_sees_through_helpers_and_stops_at_the_service() -> None:
    # It would pass vacuously if it found nothing: known pairs must be seen on both sides.
    pages, operations = page_actions(), api_operations()
    assert pages["classes/<int:pk>/finish/"] == {"qiancheng.training.services.classes.finish_class"}
    assert operations["POST /classes/{int:class_id}/finish"] == {"qiancheng.training.services.classes.finish_class"}
    # The projects' page reaches confirm_effect; the service's own call of the audit stops the walk there.
    assert pages["projects/<int:pk>/confirm/"] == {"qiancheng.projects.services.confirm_effect"}
    assert "classes/<int:pk>/" not in pages  # a page that only shows (require_safe) is no action
    assert "qiancheng.training.services.enrolment.roster_of" not in set().union(*operations.values())  # a read
    # The enrolment check writes its audit entry (no enumeration), so it is an action on both sides.
    check = "qiancheng.training.services.enrolment.preview_enrolment"
    assert check in set().union(*operations.values()) and check in set().union(*pages.values())


def test_a_page_action_missing_from_the_api_is_reported() -> None:
    # Without the API's finish operation, the walk names 结业 and the page that calls it.
    pages, operations = page_actions(), api_operations()
    finish = "qiancheng.training.services.classes.finish_class"
    assert finish not in uncovered(pages, operations)
    without = {name: changes for name, changes in operations.items() if not name.endswith("/finish")}
    assert uncovered(pages, without)[finish] == ["classes/<int:pk>/finish/"]
