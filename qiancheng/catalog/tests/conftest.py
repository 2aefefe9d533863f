from __future__ import annotations

import pytest

from qiancheng.catalog.services import load_catalog


@pytest.fixture
def catalog(db: None) -> dict[str, int]:
    """The shipped catalog in the test database; returns load_catalog()'s written counts."""
    return load_catalog()
