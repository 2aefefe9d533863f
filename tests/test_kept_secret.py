"""The generated secrets in the data folder (qiancheng.env.kept_secret): made once, shared by every process."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from qiancheng.env import SettingError, kept_secret


def test_a_secret_is_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QIANCHENG_TEST_SECRET", raising=False)
    first = kept_secret("QIANCHENG_TEST_SECRET", tmp_path, "test.key")
    assert kept_secret("QIANCHENG_TEST_SECRET", tmp_path, "test.key") == first
    assert len(first) >= 32
    assert stat.S_IMODE((tmp_path / "test.key").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["test.key"]  # no draft left behind


def test_processes_starting_together_agree_on_one_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The site and its worker (or two test workers) start at once: each must read the same key, or data sealed
    by one could not be opened by the other."""
    monkeypatch.delenv("QIANCHENG_TEST_SECRET", raising=False)
    with ThreadPoolExecutor(max_workers=8) as pool:
        values = set(pool.map(lambda _: kept_secret("QIANCHENG_TEST_SECRET", tmp_path, "test.key"), range(32)))
    assert values == {(tmp_path / "test.key").read_text(encoding="ascii").strip()}


def test_a_short_secret_from_the_environment_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QIANCHENG_TEST_SECRET", "short")
    with pytest.raises(SettingError, match="at least 32"):
        kept_secret("QIANCHENG_TEST_SECRET", tmp_path, "test.key")
