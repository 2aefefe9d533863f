"""1d's name pattern "地方名（企业名）+职业（工种）名称+培训", read from the catalogue and demand's enterprises."""

from __future__ import annotations

import pytest

from qiancheng.brands.naming import read_name, short_names
from qiancheng.catalog.models import City
from qiancheng.demand.models import Enterprise, EnterpriseStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def nanning(catalog_loaded) -> City:
    return City.objects.get(code="450100")


def test_a_city_then_an_occupation_then_training_fits(nanning):
    reading = read_name("南宁养老护理员培训", nanning)
    assert reading.fits
    assert (reading.place_text, reading.city, reading.county) == ("南宁", nanning, None)
    assert reading.occupation.name == "养老护理员" and reading.item is None


def test_a_name_with_no_occupation_before_training_is_refused_saying_so(nanning):
    reading = read_name("最好的培训", nanning)
    assert not reading.fits
    [problem] = reading.problems
    assert problem.part == "trade" and "最好的" in problem.zh and "最好的" in problem.en
    assert "职业" in problem.zh and "occupation" in problem.en


def test_a_name_not_ending_in_training_is_refused(nanning):
    [problem] = read_name("南宁养老护理员", nanning).problems
    assert problem.part == "suffix" and "培训" in problem.zh


def test_words_that_are_no_place_before_the_occupation_are_named(nanning):
    [problem] = read_name("最好的养老护理员培训", nanning).problems
    assert problem.part == "place" and "“最好的”" in problem.zh and "养老护理员" in problem.zh


def test_the_occupation_alone_lacks_its_place(nanning):
    [problem] = read_name("养老护理员培训", nanning).problems
    assert problem.part == "place" and "（空）" in problem.zh


def test_a_county_with_or_without_its_suffix_is_a_place(nanning):
    short = read_name("武鸣养老护理员培训", nanning)
    full = read_name("武鸣区养老护理员培训", nanning)
    assert short.fits and full.fits and short.county.code == full.county.code == "450110"


def test_another_citys_place_is_refused_for_this_city(nanning):
    [problem] = read_name("柳州养老护理员培训", nanning).problems
    assert problem.part == "city" and "柳州市" in problem.zh


def test_a_registered_enterprise_may_stand_for_the_place(nanning):
    Enterprise.objects.create(name="广西壮美家政服务有限公司", uscc="91450100MA0000009Q", city=nanning,
                              status=EnterpriseStatus.APPROVED)
    reading = read_name("广西壮美家政服务有限公司家政服务员培训", nanning)
    assert reading.fits and reading.enterprise.name == "广西壮美家政服务有限公司" and reading.county is None


def test_an_enterprise_still_waiting_for_its_city_is_not_a_name_part(nanning):
    Enterprise.objects.create(name="待审核公司", uscc="91450100MA0000010L", city=nanning,
                              status=EnterpriseStatus.APPLIED)
    assert read_name("待审核公司家政服务员培训", nanning).problems[0].part == "place"


def test_a_special_ability_item_is_a_trade(nanning):
    reading = read_name("南宁桂林米粉制作培训", nanning)
    assert reading.fits and reading.item.name == "桂林米粉制作" and reading.occupation is None


def test_short_names_of_divisions():
    assert short_names("南宁市") == {"南宁市", "南宁"}
    assert short_names("融水苗族自治县") == {"融水苗族自治县", "融水"}
    assert short_names("龙胜各族自治县") == {"龙胜各族自治县", "龙胜"}
    assert short_names("横州市") == {"横州市", "横州"}
