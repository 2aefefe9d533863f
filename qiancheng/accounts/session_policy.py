"""What a signed-in session may do between requests: end when idle, and never be cached.

等保 level 3 expects a session to end after a period without activity, besides its absolute lifetime
(`SESSION_COOKIE_AGE`). The idle limit is `SESSION_IDLE_SECONDS` (30 minutes unless the environment says
otherwise; docs/operations.md). Pages shown to a signed-in user carry personal data, so no browser or proxy
may keep a copy: `Cache-Control: no-store`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

LAST_SEEN = "qiancheng.last_seen"
# Writing the session on every request would turn reads into writes; a minute's precision is enough.
TOUCH_EVERY_SECONDS = 60


class SessionPolicyMiddleware:
    """Signs out a session idle for longer than `SESSION_IDLE_SECONDS`; marks signed-in answers no-store."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in and self._idle_too_long(request):
            logout(request)
            if request.path.startswith("/api/"):
                signed_in = False
            else:
                messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if signed_in or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def _idle_too_long(request: HttpRequest) -> bool:
        now = int(time.time())
        last_seen = request.session.get(LAST_SEEN)
        if isinstance(last_seen, int) and now - last_seen > settings.SESSION_IDLE_SECONDS:
            return True
        if not isinstance(last_seen, int) or now - last_seen >= TOUCH_EVERY_SECONDS:
            request.session[LAST_SEEN] = now
        return False
