from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from qiancheng.catalog.levels import LEVEL_SETS, validate_level_set
from qiancheng.catalog.models import County, Occupation

pytestmark = pytest.mark.django_db


def test_infant_guide_has_levels_four_to_one_only(catalog):
    guide = Occupation.objects.get(code="4-10-01-01")
    assert guide.level_list == [4, 3, 2, 1]
    assert guide.allows_level(4) and guide.allows_level(1)
    assert not guide.allows_level(5)


def test_domestic_worker_has_levels_five_to_two_only(catalog):
    worker = Occupation.objects.get(name="家政服务员")
    assert worker.code == "4-10-01-06"
    assert worker.allows_level(5) and worker.allows_level(2)
    assert not worker.allows_level(1)


def test_unrecorded_levels_restrict_nothing_but_the_range(catalog):
    butler = Occupation.objects.get(code="4-14-06-02")
    assert butler.levels == "" and butler.level_list == []
    assert all(butler.allows_level(level) for level in (1, 2, 3, 4, 5))
    assert not butler.allows_level(0) and not butler.allows_level(6)


def test_levels_validator_explains_in_both_languages():
    validate_level_set("4321")
    with pytest.raises(ValidationError, match="技能等级应为 .* levels must be distinct digits"):
        validate_level_set("1234")
    assert len(LEVEL_SETS) == 32


def test_str_of_each_model_names_the_row(catalog):
    assert str(Occupation.objects.get(code="4-04-05-05")) == "4-04-05-05 人工智能训练师"
    assert str(County.objects.get(code="450181")) == "横州市"
    assert str(County.objects.get(code="450127")) == "横县（历史代码 historical）"


def test_every_catalog_model_has_a_bilingual_verbose_name_and_an_ordering():
    from django.apps import apps

    for model in apps.get_app_config("catalog").get_models():
        verbose = str(model._meta.verbose_name)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in verbose), model
        assert any(ch.isascii() and ch.isalpha() for ch in verbose), model
        assert model._meta.ordering, model
