"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def catalog_loaded(db: None) -> dict[str, int]:
    """The shipped catalog (cities, counties, occupations, items, ...) loaded into the test database."""
    from qiancheng.catalog.services import load_catalog

    return load_catalog()
