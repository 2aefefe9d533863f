"""The one guard for pages by role: anonymous users go to the login page, another role is refused.

A page that names a record in its URL refuses with the same 404 as a missing record (`hide=True`), so a
wrong role cannot learn that the record exists; a list or form page says 403. What a role may see of
the records themselves is the scope registry's business (`accounts.scope`), not this guard's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from qiancheng.accounts.scope import NOT_FOUND_MESSAGE

FORBIDDEN_MESSAGE = "无权访问该页面 / not allowed to open this page"


def signed_in_as(roles: Iterable[str], *, hide: bool = False) -> Callable:
    allowed = frozenset(roles)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in allowed:
                if hide:
                    raise Http404(NOT_FOUND_MESSAGE)
                raise PermissionDenied(FORBIDDEN_MESSAGE)
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorate
