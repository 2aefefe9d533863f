"""Django's deploy check is clean with the production settings that docs/operations.md documents.

It runs in a child process because the settings are read from the environment once, at start-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PRODUCTION = {
    "QIANCHENG_ALLOWED_HOSTS": "peixun.example.gov.cn",
    "QIANCHENG_SECURE_COOKIES": "true",
    "QIANCHENG_BEHIND_PROXY": "true",
    "QIANCHENG_TRUSTED_ORIGINS": "https://peixun.example.gov.cn",
    "QIANCHENG_SSL_REDIRECT": "true",
}


def _systemcheck(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("QIANCHENG_")}
    env |= PRODUCTION | extra | {"QIANCHENG_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    # The browser tests' conftest sets this for Playwright's sync API in the test process; a server never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run([sys.executable, "-m", "qiancheng", "systemcheck", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_documented_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = _systemcheck(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_still_catches_a_missing_setting(tmp_path: Path) -> None:
    """The check is not silenced: without secure cookies it warns (W012, W016) and fails."""
    result = _systemcheck(tmp_path, QIANCHENG_SECURE_COOKIES="false", QIANCHENG_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W012" in result.stdout + result.stderr


def test_a_short_secret_key_from_the_environment_is_refused(tmp_path: Path) -> None:
    result = _systemcheck(tmp_path, QIANCHENG_SECRET_KEY="x" * 40)
    assert result.returncode != 0
    assert "QIANCHENG_SECRET_KEY: must be at least 50 characters" in result.stderr
