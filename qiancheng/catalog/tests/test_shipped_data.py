"""The shipped catalog files, read without a database."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from qiancheng.catalog import shipped


def occupation(code: str) -> shipped.OccupationRecord:
    return next(o for o in shipped.occupations() if o.code == code)


def test_guangxi_has_14_cities_and_111_current_counties_in_every_city():
    assert len(shipped.cities()) == 14
    current = [c for c in shipped.counties() if c.is_current]
    assert len(current) == 111
    assert {c.city_code for c in current} == {city.code for city in shipped.cities()}
    assert next(c for c in shipped.cities() if c.code == "451400").name == "崇左市"


def test_historical_codes_are_flagged_with_a_note_and_a_current_successor():
    counties = {c.code: c for c in shipped.counties()}
    hengxian = counties["450127"]
    assert (hengxian.name, hengxian.is_current, hengxian.successor_code) == ("横县", False, "450181")
    assert counties["450181"].name == "横州市" and counties["450181"].is_current
    assert "横州市" in hengxian.note
    historical = [c for c in counties.values() if not c.is_current]
    assert all(c.note for c in historical)
    assert all(counties[c.successor_code].is_current for c in historical if c.successor_code)
    # 邕宁县 was split between two districts in 2004: no single successor is claimed.
    assert counties["450121"].successor_code == ""
    # 隆安县 before its move to Nanning's code in 2002
    assert counties["452126"].successor_code == "450123"


def test_county_codes_cover_current_and_historical_codes():
    codes = shipped.county_codes()
    assert {"450123", "450127", "450181", "452126"} <= codes
    assert "450199" not in codes


def test_the_2022_classification_has_8_79_450_groups_and_1639_occupations():
    occupations = shipped.occupations()
    assert len(occupations) == 1639
    assert len({o.code for o in occupations}) == 1639
    assert Counter(g.level for g in shipped.occupation_groups()) == {1: 8, 2: 79, 3: 450}
    # every occupation sits in a minor group of the tree; "其他…" groups such as 2-01-99 hold none
    minor_groups = {g.code for g in shipped.occupation_groups() if g.level == 3}
    assert {o.minor_code for o in occupations} < minor_groups
    assert "2-01-99" in minor_groups - {o.minor_code for o in occupations}


def test_an_occupation_carries_its_groups():
    trainer = occupation("4-04-05-05")
    assert trainer.name == "人工智能训练师"
    assert (trainer.major_code, trainer.middle_code, trainer.minor_code) == ("4", "4-04", "4-04-05")
    assert trainer.minor_name == "软件和信息技术服务人员"
    assert trainer.major_name == "社会生产服务和生活服务人员"


def test_facts_checked_codes_are_in_the_classification():
    names = {o.code: o.name for o in shipped.occupations()}
    assert names["2-02-38-01"] == "人工智能工程技术人员"
    assert names["4-01-06-02"] == "互联网营销师"
    assert names["4-01-06-01"] == "电子商务师"
    assert names["4-02-04-06"] == "无人机驾驶员"
    assert names["4-08-03-07"] == "无人机测绘操控员"
    assert names["6-23-03-15"] == "无人机装调检修工"
    assert names["4-10-01-03"] == "保育师"
    assert names["4-10-01-05"] == "养老护理员"
    assert names["4-14-06-02"] == "民宿管家"
    assert names["4-10-01-06"] == "家政服务员"
    # a known gap of the OCR-built source (data/SOURCES.md)
    assert "4-10-01-02" not in names


def test_recorded_levels_follow_the_national_standards():
    assert occupation("4-04-05-05").levels == "54321"
    assert occupation("4-10-01-01").levels == "4321"
    assert occupation("4-10-01-06").levels == "5432"
    assert occupation("4-10-01-05").levels == "54321"
    # professional grades (初/中/高), not skill levels: recorded as not restricted, with the reason
    engineer = occupation("2-02-38-01")
    assert engineer.levels == "" and "初级" in engineer.levels_source
    # most occupations: levels not recorded, which means not restricted
    assert Counter(o.levels == "" for o in shipped.occupations())[True] > 1600


def test_ai_shortage_list_holds_the_plans_example_and_the_ai_engineers():
    flagged = {o.code: o for o in shipped.occupations() if o.is_ai_shortage}
    assert {"4-04-05-05", "2-02-38-01"} <= set(flagged)
    assert flagged["4-04-05-05"].ai_shortage_basis.startswith("plan:")
    assert all(o.ai_shortage_basis for o in flagged.values())
    assert not occupation("4-10-01-05").is_ai_shortage


def test_special_ability_items_are_a_starter_list_of_at_least_28_hours():
    items = shipped.special_ability_items()
    assert len(items) == 10
    assert all(i.min_hours >= 28 for i in items)
    assert all("starter list, editable" in i.note for i in items)


def test_only_iyb_and_eyb_need_a_business_licence():
    kinds = {k.code: k for k in shipped.course_kinds()}
    assert set(kinds) == {"GYB", "SYB", "IYB", "EYB", "online_live", "online_ecommerce", "online_simulation"}
    assert {code for code, kind in kinds.items() if kind.needs_business_licence} == {"IYB", "EYB"}
    assert kinds["SYB"].name == "创办你的企业"


def test_industries_are_ai_plus_a_starter_list_that_does_not_claim_to_be_official():
    industries = shipped.industries()
    assert [i.code for i in industries if i.is_ai] == ["ai"]
    assert all(not i.is_official for i in industries if not i.is_ai)
    assert all("not the official list" in i.note for i in industries if not i.is_ai)


def test_only_the_two_confirmed_parks_ship_each_with_city_and_source():
    # 4.1 names four parks but not which: no placeholder, no guessed name; the province enters the others.
    parks = {p.code: p for p in shipped.industrial_parks()}
    assert set(parks) == {"pingxiang", "dongxing"}
    assert (parks["pingxiang"].city_code, parks["dongxing"].city_code) == ("451400", "450600")
    assert all(p.is_confirmed and "4.1" in p.source_document for p in parks.values())


def test_programme_tags_cite_clause_4():
    tags = {t.code: t.clause for t in shipped.programme_tags()}
    assert tags == {
        "ai": "4.2", "advanced_manufacturing": "4.3", "elderly_child_care": "4.4",
        "modern_services": "4.5", "new_occupations": "4.6", "drones": "4.6",
    }


CACHED = (shipped.cities, shipped.counties, shipped.county_codes, shipped.occupations, shipped.course_kinds,
          shipped.programme_tags, shipped.occupation_groups)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A scratch data folder in place of the shipped one, with the read-once caches emptied around it."""
    monkeypatch.setattr(shipped, "DATA_DIR", tmp_path)
    for reader in CACHED:
        reader.cache_clear()
    yield tmp_path
    for reader in CACHED:
        reader.cache_clear()


def test_a_shifted_column_is_refused_rather_than_truncated(data_dir):
    (data_dir / "programme-tags.csv").write_text(
        "code,name,name_en,clause\nai,人工智能,Artificial intelligence, AI,4.2\n", encoding="utf-8"
    )
    with pytest.raises(shipped.CatalogDataError, match=r"programme-tags.csv .*row 2.*quote"):
        shipped.programme_tags()


def test_a_malformed_boolean_names_file_row_and_field(data_dir):
    (data_dir / "course-kinds.csv").write_text(
        "code,name,name_en,needs_business_licence,is_online\nIYB,改善你的企业,Improve,yes,false\n", encoding="utf-8"
    )
    with pytest.raises(shipped.CatalogDataError, match=r"course-kinds.csv .*row 2, needs_business_licence: 应为 true"):
        shipped.course_kinds()


def test_an_annotation_with_a_mistyped_code_is_refused(data_dir):
    name = "occupations-2022.json"
    (data_dir / name).write_bytes((Path(shipped.__file__).parent / "data" / name).read_bytes())
    (data_dir / "occupation-levels.csv").write_text(
        "code,name,levels,source\n4-04-05-06,人工智能训练师,54321,standard\n", encoding="utf-8"
    )
    with pytest.raises(shipped.CatalogDataError, match="occupation-levels.csv .*4-04-05-06 在分类大典中名为 区块链应用操作员"):
        shipped.occupations()


def test_a_missing_column_is_refused(data_dir):
    (data_dir / "cities.csv").write_text("code,name\n450100,南宁市\n", encoding="utf-8")
    with pytest.raises(shipped.CatalogDataError, match="cities.csv .*row 1, name_en: 缺少列"):
        shipped.cities()
