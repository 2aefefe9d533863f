"""Refuse, before any view runs, input that no form or API field may carry: NUL characters.

A NUL byte in a query string, a form field or a JSON string has no meaning in this domain, and PostgreSQL
cannot store it in text (psycopg raises, which a view would turn into a 500). One check here answers
400 for every page and endpoint instead; the API gets its problem shape.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

_JSON_NUL = (b"\\u0000", b"\x00")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("application/json") or content_type.startswith("application/x-www-form-urlencoded"):
        body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE before it is read
        if content_type.startswith("application/json"):
            return any(marker in body for marker in _JSON_NUL)
        return b"\x00" in unquote_to_bytes(body.replace(b"+", b" "))
    return False


class RefuseNulMiddleware:
    """400 for a request whose path, query or text body carries a NUL character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            hostile = _has_nul(request)
        except (RequestDataTooBig, OSError):
            # Too big or cut off: reading it again in the view raises the same, and its handler answers 4xx.
            hostile = False
        if hostile:
            zh, en = "输入含有空字符（NUL），无法处理", "The input contains a NUL character"
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "nul_character", "message_zh": zh, "message_en": en}, status=400,
                                    json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(f"{zh} / {en}".encode(), content_type="text/plain; charset=utf-8")
        return self.get_response(request)

