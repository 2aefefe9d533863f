"""load_catalog(): idempotent, fast, keeps officials' edits, callable from a migration."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from qiancheng.catalog.models import (
    City,
    County,
    CourseKind,
    IndustrialPark,
    Industry,
    Occupation,
    ProgrammeTag,
    SpecialAbilityItem,
)
from qiancheng.catalog.services import load_catalog

pytestmark = pytest.mark.django_db


def test_first_load_writes_every_shipped_row():
    written = load_catalog()
    assert written == {
        "City": 14, "County": 111 + County.objects.filter(is_current=False).count(), "Occupation": 1639,
        "SpecialAbilityItem": 10, "CourseKind": 7, "Industry": Industry.objects.count(),
        "IndustrialPark": 2, "ProgrammeTag": 6,
    }
    assert County.objects.filter(is_current=True).count() == 111
    assert County.objects.get(code="450127").successor_id == "450181"
    assert Occupation.objects.get(code="4-04-05-05").levels == "54321"


def test_second_load_changes_nothing():
    load_catalog()
    assert set(load_catalog().values()) == {0}


def test_loading_1639_occupations_takes_well_under_two_seconds():
    started = time.perf_counter()
    load_catalog()
    assert time.perf_counter() - started < 2.0


def test_officials_edits_to_editable_data_survive_a_reload():
    load_catalog()
    SpecialAbilityItem.objects.filter(code="starter-01").update(name="柳州螺蛳粉制作（修订）", min_hours=40)
    Industry.objects.filter(code="sugar").update(name="糖业（蔗糖）", is_active=False)
    IndustrialPark.objects.filter(code="pingxiang").update(name="凭祥综合保税区（更正）", source_document="桂人社函〔2026〕1号")
    Occupation.objects.filter(code="4-04-05-04").update(levels="543")
    Occupation.objects.filter(code="4-04-05-05").update(levels="")
    SpecialAbilityItem.objects.create(code="GX-001", name="官方新增项目", min_hours=30)

    assert set(load_catalog().values()) == {0}

    assert SpecialAbilityItem.objects.get(code="starter-01").name == "柳州螺蛳粉制作（修订）"
    assert SpecialAbilityItem.objects.get(code="starter-01").min_hours == 40
    assert not Industry.objects.get(code="sugar").is_active
    park = IndustrialPark.objects.get(code="pingxiang")
    assert (park.name, park.source_document) == ("凭祥综合保税区（更正）", "桂人社函〔2026〕1号")
    assert Occupation.objects.get(code="4-04-05-04").levels == "543"
    assert Occupation.objects.get(code="4-04-05-05").levels == ""
    assert SpecialAbilityItem.objects.filter(code="GX-001").exists()


def test_published_reference_data_is_brought_back_to_the_shipped_files():
    load_catalog()
    City.objects.filter(code="450100").update(name="南宁")
    Occupation.objects.filter(code="4-04-05-05").update(name="AI 训练师", minor_name="x")
    CourseKind.objects.filter(code="IYB").update(needs_business_licence=False)
    ProgrammeTag.objects.filter(code="drones").update(clause="9.9")

    written = load_catalog()

    assert (written["City"], written["Occupation"], written["CourseKind"], written["ProgrammeTag"]) == (1, 1, 1, 1)
    assert City.objects.get(code="450100").name == "南宁市"
    trainer = Occupation.objects.get(code="4-04-05-05")
    assert (trainer.name, trainer.minor_name) == ("人工智能训练师", "软件和信息技术服务人员")
    assert CourseKind.objects.get(code="IYB").needs_business_licence
    assert ProgrammeTag.objects.get(code="drones").clause == "4.6"


def test_a_missing_shipped_row_is_inserted_again():
    load_catalog()
    IndustrialPark.objects.filter(code="dongxing").delete()
    assert load_catalog()["IndustrialPark"] == 1
    assert IndustrialPark.objects.get(code="dongxing").city_id == "450600"


def test_load_works_with_a_migration_state_registry():
    """A data migration passes its historical `apps`; the loader must need nothing else."""
    state_apps = MigrationExecutor(connection).loader.project_state().apps
    written = load_catalog(apps=state_apps)
    assert written["Occupation"] == 1639
    assert Occupation.objects.count() == 1639


def test_loadcatalog_command_reports_written_rows_then_up_to_date():
    first, second = StringIO(), StringIO()
    call_command("loadcatalog", stdout=first)
    call_command("loadcatalog", stdout=second)
    assert "Occupation: 1639" in first.getvalue()
    assert "目录已是最新 / catalog already up to date" in second.getvalue()


def test_an_item_under_the_plans_28_hours_is_refused_and_a_new_one_takes_28(catalog):
    # 3.2: 培训课时不低于28课时 (plan_figures.yaml) — 28 passes, 27 is one short; a new item starts at 28.
    SpecialAbilityItem(code="ok-28", name="二十八课时", min_hours=28).full_clean()
    assert SpecialAbilityItem(code="new", name="新项目").min_hours == 28
    with pytest.raises(ValidationError, match="28"):
        SpecialAbilityItem(code="short-27", name="二十七课时", min_hours=27).full_clean()


@pytest.mark.parametrize("levels", ["12345", "55", "6", "5 4", "x"])
def test_database_refuses_malformed_levels(catalog, levels):
    with pytest.raises(IntegrityError), transaction.atomic():
        Occupation.objects.filter(code="4-04-05-04").update(levels=levels)


def test_database_refuses_a_successor_on_a_current_county(catalog):
    with pytest.raises(IntegrityError), transaction.atomic():
        County.objects.filter(code="450123").update(successor_id="450181")


def test_an_ai_flag_edited_in_the_database_is_brought_back_to_the_one_ai_list():
    load_catalog()
    Occupation.objects.filter(code="4-04-05-04").update(is_ai_shortage=True, ai_shortage_basis="市局认定")
    Occupation.objects.filter(code="4-04-05-05").update(is_ai_shortage=False)

    assert load_catalog()["Occupation"] == 2

    assert not Occupation.objects.get(code="4-04-05-04").is_ai_shortage
    assert Occupation.objects.get(code="4-04-05-05").is_ai_shortage
