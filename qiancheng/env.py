"""Strict parsing of settings from the environment.

A bad value stops the process with a message naming the variable, rather than
silently falling back: a government system must not start half-configured.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


class SettingError(RuntimeError):
    """An environment variable holds a value Qiancheng cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"{name}={raw!r}: expected one of true/false/1/0/yes/no/on/off")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise SettingError(f"{name}={raw!r}: expected a whole number") from exc
    if value < minimum:
        raise SettingError(f"{name}={raw!r}: must be at least {minimum}")
    return value


def env_choice(name: str, default: str, choices: list[str]) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if raw.strip() not in choices:
        raise SettingError(f"{name}={raw!r}: expected one of {', '.join(choices)}")
    return raw.strip()


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def data_dir() -> Path:
    """The folder holding the embedded database and the generated keys."""
    return Path(os.environ.get("QIANCHENG_DATA_DIR", "qiancheng-data")).expanduser().resolve()


def kept_secret(name: str, folder: Path, filename: str, nbytes: int = 32, min_length: int = 32) -> str:
    """Return the secret from the environment, else one generated once and kept in the data folder.

    The generated file is readable by its owner only; deleting it makes encrypted data unreadable,
    which is why operations docs tell production to set the variable instead.
    """
    raw = os.environ.get(name)
    if raw is not None:
        if len(raw.strip()) < min_length:
            raise SettingError(f"{name}: must be at least {min_length} characters")
        return raw.strip()
    path = folder / filename
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    folder.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    # Written whole under a private name, then linked into place: processes starting together (the site
    # and its worker, parallel test workers) either create the file or read the one that won, never a
    # half-written one.
    fd, draft = tempfile.mkstemp(prefix=f".{filename}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
        os.chmod(draft, 0o600)
        os.link(draft, path)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    finally:
        os.unlink(draft)
    return value
