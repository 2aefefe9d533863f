"""The API's one error shape: `{"code", "message_zh", "message_en"}` (plus `details` for bad input).

`install_error_handlers(api)` replaces Django Ninja's defaults so every failure, from a missing token to
an unexpected exception, answers in that shape. Raise `ApiError` from an endpoint for a domain refusal.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("qiancheng.api")


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str
    details: list[Any] | None = None


class ApiError(Exception):
    """A refusal the client should understand: HTTP status, a stable code, and the reason in both languages."""

    def __init__(self, status: int, code: str, message_zh: str, message_en: str, details: list[Any] | None = None):
        super().__init__(f"{code}: {message_en}")
        self.status, self.code = status, code
        self.message_zh, self.message_en, self.details = message_zh, message_en, details


def _body(code: str, message_zh: str, message_en: str, details: list[Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message_zh": message_zh, "message_en": message_en}
    if details is not None:
        body["details"] = details
    return body


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, *args: Any) -> HttpResponse:
        return api.create_response(request, _body(*args), status=status)

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.code, exc.message_zh, exc.message_en, exc.details)

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 404, "not_found", "未找到该记录", "No such record")

    def on_unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 401, "unauthenticated", "需要有效的接口令牌", "A valid bearer token is required")

    def on_forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 403, "forbidden", "无权执行此操作", "Not allowed")

    def on_throttled(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 429, "throttled", "请求过于频繁，请稍后再试", "Too many requests; try again later")

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, "http_error", str(exc), str(exc))

    def on_bad_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, 422, "invalid_input", "输入有误", "Invalid input", list(exc.errors))

    def on_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, 422, "invalid", "数据不合规", "Invalid data", list(exc.messages))

    def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 413, "too_large", "请求体过大", "The request body is too large")

    def on_bad_body(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A multipart body without its boundary, or another body the parser cannot read: the client's fault.
        return respond(request, 400, "bad_body", "请求体格式有误，无法读取", "The request body cannot be read")

    def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        # A value the database cannot store (too long for its column, out of range) that a schema let through.
        logger.warning("API value refused by the database on %s %s: %s", request.method, request.path, exc)
        return respond(request, 422, "invalid_value", "数据超出允许的长度或范围", "A value is too long or out of range")

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return respond(request, 500, "server_error", "服务器内部错误", "Internal server error")

    handlers = [
        (Exception, on_unexpected),
        (HttpError, on_http_error),
        (AuthenticationError, on_unauthenticated),
        (AuthorizationError, on_forbidden),
        (Throttled, on_throttled),
        (PermissionDenied, on_forbidden),
        (Http404, on_not_found),
        (NinjaValidationError, on_bad_input),
        (DjangoValidationError, on_invalid),
        (ApiError, on_api_error),
        (RequestDataTooBig, on_too_big),
        (MultiPartParserError, on_bad_body),
        (SuspiciousOperation, on_bad_body),
        (DataError, on_data_error),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(exception, handler)
    document_common_problems(api)


# Problems an operation can answer whatever its own responses say, from the handlers above and from
# RefuseNulMiddleware (accounts/hostile_input.py); each is declared where it can happen.
COMMON_PROBLEMS: dict[int, str] = {
    400: "输入含空字符或请求体无法读取 / a NUL character, or a body that cannot be read",
    401: "需要有效的接口令牌 / a valid bearer token is required",
    404: "未找到该记录 / no such record",
    413: "请求体过大 / the request body is too large",
    422: "输入有误 / invalid input",
}


def common_problems(path: str, operation: dict[str, Any]) -> list[int]:
    """The statuses of COMMON_PROBLEMS this operation can answer."""
    statuses = [400]
    if operation.get("security"):
        statuses.append(401)
    if "{" in path:
        statuses.append(404)
    if operation.get("requestBody"):
        statuses.append(413)
    if operation.get("requestBody") or operation.get("parameters"):
        statuses.append(422)
    return statuses


def declare_common_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the common problems, in the problem shape, to every operation that does not declare them."""
    problem = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            declared = {str(status) for status in responses}
            for status in common_problems(path, operation):
                if str(status) not in declared:
                    responses[status] = {"description": COMMON_PROBLEMS[status], **problem}
    return schema


def document_common_problems(api: NinjaAPI) -> None:
    """Make the API's OpenAPI document declare the common problems (schemathesis's status_code_conformance)."""
    build = api.get_openapi_schema

    def with_common_problems(**kwargs: Any) -> Any:
        return declare_common_problems(build(**kwargs))

    api.get_openapi_schema = with_common_problems  # type: ignore[method-assign]


def split_message(message: str) -> tuple[str, str]:
    """A service's "中文 / English" message as its two halves."""
    zh, _, en = message.partition(" / ")
    return zh, en or zh


def refusal_error(error: DjangoValidationError) -> ApiError:
    """A service's refusal as a 422 in the problem shape: its code and first reason on top, every reason
    (each "中文 / English") in `details`, so a client reads why without parsing a list."""
    zh, en = split_message(error.messages[0])
    code = error.error_list[0].code if not hasattr(error, "error_dict") else None
    return ApiError(422, code or "invalid", zh, en, details=list(error.messages))
