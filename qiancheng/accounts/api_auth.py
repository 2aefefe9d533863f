"""Bearer-token authentication for the API (the default auth of qiancheng.api)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from qiancheng.accounts.api_errors import ApiError
from qiancheng.accounts.models import User
from qiancheng.accounts.second_factor import required_for
from qiancheng.accounts.services import token_in_force


class TokenAuth(HttpBearer):
    """`Authorization: Bearer qc_…` → the token's user; also set as `request.user` so `scoped()` reads one place.

    A token of a user who must pass the second factor (officials; anyone who turned it on) works only when
    it was issued against a code (`ApiToken.second_factor`): 401 `second_factor_required` otherwise.
    """

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_in_force(token.strip())
        if found is None:
            return None
        if not found.second_factor and required_for(found.user):
            raise ApiError(401, "second_factor_required",
                           "该令牌未经两步验证：请带上验证码（otp）重新获取令牌",
                           "This token was issued without the second factor: get a new one with the otp code")
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]  # read by DELETE /auth/token
        return found.user
