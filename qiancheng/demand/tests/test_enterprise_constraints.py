from __future__ import annotations

import pytest

from qiancheng.catalog.models import IndustrialPark
from qiancheng.training.tests import builders
from qiancheng.training.tests.builders import refused

pytestmark = pytest.mark.django_db


def _park() -> IndustrialPark:
    return IndustrialPark.objects.create(code="fangchenggang-port", name="防城港临港产业园", city=builders.city())


def test_a_park_operator_belongs_to_a_park_and_a_park_has_one_operator() -> None:
    park = _park()
    with refused():
        builders.enterprise(is_park_operator=True)
    builders.enterprise(park=park, is_park_operator=True)
    builders.enterprise(park=park)  # other enterprises in the park are fine
    with refused():
        builders.enterprise(park=park, is_park_operator=True)


def test_the_uscc_is_unique() -> None:
    first = builders.enterprise()
    with refused():
        builders.enterprise(uscc=first.uscc)
