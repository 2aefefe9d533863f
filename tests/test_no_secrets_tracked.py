"""The CI step `.ci/no-secrets-tracked` fails on a tracked key file or database (issue 13, item 6)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "no-secrets-tracked"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def repository(folder: Path, files: dict[str, str]) -> Path:
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(["git", "-C", str(folder), "add", "--", *files], check=True)
    return folder


def check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), str(folder)], capture_output=True, text=True, timeout=60)


CLEAN = {"README.md": "前程\n", "qiancheng/settings.py": "DEBUG = False\n", "docs/keys.md": "rotate the data key\n"}


def test_a_clean_repository_passes(tmp_path: Path) -> None:
    result = check(repository(tmp_path, CLEAN))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no key files or databases tracked" in result.stdout


def test_a_planted_key_and_database_fail_by_name(tmp_path: Path) -> None:
    planted = {**CLEAN, "qiancheng/training/qiancheng-data/data.key": "k" * 43 + "\n", "db.sqlite3": "SQLite"}
    result = check(repository(tmp_path, planted))
    assert result.returncode == 1
    named = set(result.stdout.splitlines())
    assert {"qiancheng/training/qiancheng-data/data.key", "db.sqlite3"} <= named
    assert "README.md" not in named and "docs/keys.md" not in named


@pytest.mark.parametrize("name", ["qiancheng-data/secret.key", "deploy/tls.pem", "qiancheng.sqlite3-wal",
                                  "qiancheng-data/demo-logins.txt"])
def test_each_kind_of_secret_fails(tmp_path: Path, name: str) -> None:
    result = check(repository(tmp_path, {**CLEAN, name: "x"}))
    assert result.returncode == 1 and name in result.stdout.splitlines()


def test_an_untracked_key_is_not_the_step_s_business(tmp_path: Path) -> None:
    folder = repository(tmp_path, CLEAN)
    (folder / "data.key").write_text("k", encoding="utf-8")  # on disk, ignored or not, but never added
    assert check(folder).returncode == 0
