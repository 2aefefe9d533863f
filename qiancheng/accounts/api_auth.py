"""Bearer-token authentication for the API (the default auth of qiancheng.api)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from qiancheng.accounts.models import User
from qiancheng.accounts.services import token_in_force


class TokenAuth(HttpBearer):
    """`Authorization: Bearer qc_…` → the token's user; also set as `request.user` so `scoped()` reads one place."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_in_force(token.strip())
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]  # read by DELETE /auth/token
        return found.user
