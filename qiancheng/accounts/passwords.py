"""Password rules beyond Django's: a password that is the username, or a common password dressed up.

等保 level 3 asks that officials' passwords resist guessing. Django's `CommonPasswordValidator` refuses
"password" but accepts "Passw0rd!!": the usual disguises (digits for letters, a capital, symbols or
digits appended) are taken off before the common list is consulted.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

# The substitutions people make to satisfy "a digit and a symbol".
_UNDISGUISE = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s",
                             "!": "i"})
_TRAILING = re.compile(r"[\d\W_]+$")
_LEADING = re.compile(r"^[\d\W_]+")


def plain_forms(password: str) -> set[str]:
    """The password and what it is under its disguises: lower case, digits/symbols at either end taken off,
    look-alike characters read as letters."""
    lowered = password.lower()
    stripped = _LEADING.sub("", _TRAILING.sub("", lowered))
    return {lowered, stripped, lowered.translate(_UNDISGUISE), stripped.translate(_UNDISGUISE),
            _LEADING.sub("", _TRAILING.sub("", lowered.translate(_UNDISGUISE)))} - {""}


class GuessablePasswordValidator:
    """Refuses a password that is, under its disguises, the username or on Django's common-password list."""

    def __init__(self) -> None:
        self._common = CommonPasswordValidator()

    def validate(self, password: str, user: Any = None) -> None:
        forms = plain_forms(password)
        username = (getattr(user, "username", "") or "").lower()
        if username and (username in forms or password.lower().startswith(username)):
            raise ValidationError("密码不能是用户名或以用户名开头 / the password must not be or begin with the username",
                                  code="password_is_username")
        if forms & self._common.passwords:
            raise ValidationError("密码过于常见（换了写法的常见密码也不行）/ the password is too common, even disguised",
                                  code="password_too_common")

    def get_help_text(self) -> str:
        return "不能是用户名，也不能是常见密码的变体 / not the username and not a disguised common password"
