"""Targets (1a): one writer, every entry kept, the newest in force on a day, the splits within the province's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qiancheng.accounts.models import AuditEntry
from qiancheng.insight import figures
from qiancheng.insight.models import Target
from qiancheng.insight.services import set_target
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _code(refusal: pytest.ExceptionInfo[ValidationError]) -> str:
    return refusal.value.error_list[0].code or ""


def test_the_newest_entry_in_force_on_a_day_and_the_history_kept(province_official) -> None:
    nanning = builders.city("450100", "南宁市")
    first = set_target(province_official, 2026, nanning.code, 20_000, "桂人社发〔2026〕1号", dt.date(2026, 1, 1))
    second = set_target(province_official, 2026, nanning.code, 24_000, "桂人社发〔2026〕9号", dt.date(2026, 6, 1))
    assert figures.target_in_force(2026, nanning.code, dt.date(2025, 12, 31)) is None
    assert figures.target_in_force(2026, nanning.code, dt.date(2026, 5, 31)).count == 20_000
    on_june = figures.target_in_force(2026, nanning.code, dt.date(2026, 6, 1))
    assert (on_june.count, on_june.document) == (24_000, "桂人社发〔2026〕9号")
    assert list(Target.objects.filter(city=nanning).values_list("pk", flat=True).order_by("pk")) == [first.pk, second.pk]
    # The province without an entry of its own has the plan's figure (1a); with one, its own.
    assert figures.target_in_force(2026, None, dt.date(2026, 6, 1)).count == 210_000
    set_target(province_official, 2026, None, 220_000, "桂人社发〔2026〕10号", dt.date(2026, 7, 1))
    assert figures.target_in_force(2026, None, dt.date(2026, 6, 30)).count == 210_000
    assert figures.target_in_force(2026, None, dt.date(2026, 7, 1)).count == 220_000
    entry = AuditEntry.objects.filter(action="target.set").order_by("seq").first()
    assert entry.target_pk == str(first.pk) and entry.after["count"] == 20_000 and entry.reason == "1a"
    assert AuditEntry.objects.filter(action="target.set").count() == 3


def test_the_cities_splits_never_exceed_the_provinces_target(province_official) -> None:
    nanning, liuzhou = builders.city("450100", "南宁市"), builders.city("450200", "柳州市")
    set_target(province_official, 2025, nanning.code, 100_000, "桂人社发〔2025〕1号", dt.date(2025, 9, 1))
    # An earlier split that would be over the province's target once a later entry takes effect is refused:
    # 90,000 from 20 August is fine alone, but from 1 September 南宁's 100,000 joins it (190,000 > 180,000).
    with pytest.raises(ValidationError) as refused:
        set_target(province_official, 2025, liuzhou.code, 90_000, "桂人社发〔2025〕3号", dt.date(2025, 8, 20))
    assert _code(refused) == "splits_exceed_province" and "2025-09-01" in refused.value.messages[0]
    set_target(province_official, 2025, liuzhou.code, 80_000, "桂人社发〔2025〕1号", dt.date(2025, 9, 1))  # = 180,000
    with pytest.raises(ValidationError) as refused:
        set_target(province_official, 2025, liuzhou.code, 80_001, "桂人社发〔2025〕2号", dt.date(2025, 10, 1))
    assert _code(refused) == "splits_exceed_province"
    # Raising the province's target makes room; it can never go under the plan's figure, nor under the splits.
    set_target(province_official, 2025, None, 190_000, "桂人社发〔2025〕4号", dt.date(2025, 10, 1))
    set_target(province_official, 2025, liuzhou.code, 90_000, "桂人社发〔2025〕5号", dt.date(2025, 10, 1))
    with pytest.raises(ValidationError) as refused:
        set_target(province_official, 2025, None, 179_999, "桂人社发〔2025〕6号", dt.date(2025, 11, 1))
    assert _code(refused) == "below_plan"
    with pytest.raises(ValidationError) as refused:
        set_target(province_official, 2025, None, 185_000, "桂人社发〔2025〕7号", dt.date(2025, 11, 1))
    assert _code(refused) == "splits_exceed_province"
    assert Target.objects.count() == 4


@pytest.mark.parametrize(("year", "city", "count", "document", "valid_from", "code"), [
    (2028, "450100", 10, "文", dt.date(2028, 1, 1), "year_outside_plan"),
    (2026, "459999", 10, "文", dt.date(2026, 1, 1), "city_unknown"),
    (2026, "450100", 0, "文", dt.date(2026, 1, 1), "bad_count"),
    (2026, "450100", 10, "  ", dt.date(2026, 1, 1), "document_missing"),
    (2026, "450100", 10, "文", dt.date(2027, 1, 1), "bad_valid_from"),
    (2026, "450100", 10, "文", None, "bad_valid_from"),
])
def test_what_a_target_entry_may_not_say(province_official, year, city, count, document, valid_from, code) -> None:
    builders.city("450100", "南宁市")
    with pytest.raises(ValidationError) as refused:
        set_target(province_official, year, city, count, document, valid_from)
    assert _code(refused) == code and not Target.objects.exists()


def test_only_the_province_sets_targets_and_a_day_holds_one_entry(province_official, nanning_official) -> None:
    with pytest.raises(PermissionDenied):
        set_target(nanning_official, 2026, "450100", 10, "文", dt.date(2026, 1, 1))
    set_target(province_official, 2026, "450100", 10, "文", dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as refused:
        set_target(province_official, 2026, "450100", 12, "文", dt.date(2026, 1, 1))
    assert _code(refused) == "target_exists"
