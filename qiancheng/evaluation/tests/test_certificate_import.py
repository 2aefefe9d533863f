"""Certificates imported from the evaluation bodies: the .xlsx page and the service (1b, 3.5d).

Bad rows are reported by row, column and reason; nothing is applied while any row is bad unless the
official asks for the good rows; the same file twice adds nothing; imported skill-level certificates
are history for the decision engine exactly like issued ones.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiancheng.accounts.models import AuditEntry
from qiancheng.evaluation.imports import (
    HEADERS,
    import_certificates,
    read_certificate_file,
    rows_from_records,
)
from qiancheng.evaluation.models import Certificate, CertificateKind
from qiancheng.funding.services.decision_store import stored_history_records
from qiancheng.people import crypto
from qiancheng.people.models import Person
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

URL = "/evaluation/certificates/import/"
HOLDER = builders.id_number(county="450102", sequence=611)
NEWCOMER = builders.id_number(county="450103", sequence=612)
LIUZHOU_PERSON = builders.id_number(county="450202", sequence=613)


def _wrong_check_character(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def _xlsx(rows: list[list[str]], headers: tuple[str, ...] = HEADERS) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            sheet.write_string(number, column, value)
    book.close()
    return buffer.getvalue()


@pytest.fixture
def catalog() -> None:
    builders.occupation()  # 4-04-05-05 人工智能训练师, levels unrecorded
    occupation = builders.occupation("6-05-01-01", "缝纫工")
    occupation.levels = "54"
    occupation.save()
    builders.item()


@pytest.fixture
def holder():
    return builders.person(name="张小三", id_number=HOLDER)


GOOD = [
    ["ZJ-2025-0001", "张小三", HOLDER, "职业技能等级证书", "4-04-05-05", "四级/中级工", "广西职业技能鉴定中心", "2025-10-20"],
    ["ZX-2025-0002", "钱新来", NEWCOMER, "专项职业能力证书", "螺蛳粉制作", "", "柳州市评价中心", "2025-10-21"],
]
BAD = [
    ["ZJ-2025-0003", "孙错号", _wrong_check_character(NEWCOMER), "职业技能等级证书", "4-04-05-05", "4", "鉴定中心", "2025-10-20"],
    ["ZJ-2025-0004", "周无职", NEWCOMER[:-4] + "0000", "职业技能等级证书", "9-99-99-99", "4", "鉴定中心", "2025-10-20"],
    ["ZJ-2025-0005", "吴等级", HOLDER, "职业技能等级证书", "6-05-01-01", "二级", "鉴定中心", "2025-10-20"],
    ["ZJ-2025-0001", "张小三", HOLDER, "职业技能等级证书", "4-04-05-05", "4", "鉴定中心", "2025-10-20"],
]


def test_bad_rows_are_reported_and_nothing_is_applied(client: Client, login, province_official, catalog,
                                                      holder) -> None:
    login(client, province_official)
    upload = SimpleUploadedFile("证书.xlsx", _xlsx(GOOD + BAD))
    response = client.post(URL, {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-not-applied"' in page
    assert "校验位错误" in page and "check character" in page  # row 4
    assert "不在国家职业分类中" in page  # row 5
    assert "没有2级" in page  # row 6 (6-05-01-01 has levels 5 and 4)
    assert "与第2行重复" in page  # row 7
    assert not Certificate.objects.exists()
    assert not Person.objects.filter(name="钱新来").exists()


def test_problems_name_row_and_column(province_official, catalog, holder) -> None:
    outcome = import_certificates(province_official, read_certificate_file("c.xlsx", _xlsx(GOOD + BAD)))
    found = {(problem.row, problem.column, problem.code) for problem in outcome.problems}
    assert (4, "身份证号", "check_character") in found
    assert (5, "职业编码/项目", "occupation_unknown") in found
    assert (6, "等级", "level_not_in_standard") in found
    assert (7, "证书编号", "duplicate_in_file") in found
    assert not outcome.applied and outcome.good_count == 2


def test_good_rows_apply_atomically_and_a_second_time_adds_nothing(client: Client, login, province_official,
                                                                   catalog, holder) -> None:
    login(client, province_official)
    data = _xlsx(GOOD + BAD)
    first = client.post(URL, {"file": SimpleUploadedFile("c.xlsx", data), "apply_good_rows": "on"})
    assert first.status_code == 200 and 'data-testid="import-created">2<' in first.content.decode()
    assert set(Certificate.objects.values_list("number", flat=True)) == {"ZJ-2025-0001", "ZX-2025-0002"}
    newcomer = Person.objects.get(person_key__in=crypto.person_key_candidates(NEWCOMER))
    assert newcomer.name == "钱新来" and newcomer.id_number_masked != NEWCOMER  # registered, sealed
    imported = Certificate.objects.get(number="ZJ-2025-0001")
    assert (imported.person_id, imported.occupation_id, imported.level, imported.evaluation_id) == (
        holder.pk, "4-04-05-05", 4, None)
    assert AuditEntry.objects.filter(action="certificate.imported").count() == 2
    second = client.post(URL, {"file": SimpleUploadedFile("c.xlsx", data), "apply_good_rows": "on"})
    page = second.content.decode()
    assert 'data-testid="import-created">0<' in page and 'data-testid="import-unchanged">2<' in page
    assert Certificate.objects.count() == 2
    assert AuditEntry.objects.filter(action="certificate.imported").count() == 2


def test_a_number_already_held_with_other_facts_is_a_bad_row(province_official, catalog, holder) -> None:
    import_certificates(province_official, rows_from_records([dict(zip(
        ("number", "name", "id_number", "kind", "subject", "level", "issuer", "issued_on"), GOOD[0], strict=True))]))
    changed = dict(zip(("number", "name", "id_number", "kind", "subject", "level", "issuer", "issued_on"),
                       GOOD[0], strict=True)) | {"level": "3"}
    outcome = import_certificates(province_official, rows_from_records([changed]))
    assert [(problem.row, problem.code) for problem in outcome.problems] == [(1, "number_taken")]
    assert Certificate.objects.get().level == 4


def test_imported_certificates_are_history_for_the_decision_engine(province_official, catalog, holder) -> None:
    """3.5d reads certificates from funding/services/decision_store.py: an imported one appears exactly like an issued one."""
    import_certificates(province_official, read_certificate_file("c.xlsx", _xlsx(GOOD)))
    history = stored_history_records({holder.pk}, set())
    assert {"record_type": "certificate", "record_id": "certificate:ZJ-2025-0001", "id_number": holder.pk,
            "occupation_code": "4-04-05-05", "level": 4, "record_date": "2025-10-20"}.items() <= next(
        row for row in history if row["record_type"] == "certificate").items()


def test_the_template_downloads_with_the_chinese_headers(client: Client, login, nanning_official) -> None:
    login(client, nanning_official)
    response = client.get(URL + "template.xlsx")
    assert response.status_code == 200
    assert read_certificate_file("template.xlsx", response.content) == []


def test_wrong_headers_and_unsafe_files_are_refused(client: Client, login, province_official) -> None:
    login(client, province_official)
    wrong = client.post(URL, {"file": SimpleUploadedFile("c.xlsx", _xlsx([], headers=("编号", "姓名")))})
    assert wrong.status_code == 422 and "表头应为" in wrong.content.decode()
    macro = client.post(URL, {"file": SimpleUploadedFile("c.xlsm", _xlsx([]))})
    assert macro.status_code == 422 and "宏" in macro.content.decode()
    not_a_workbook = client.post(URL, {"file": SimpleUploadedFile("c.xlsx", b"PK not really")})
    assert not_a_workbook.status_code == 422


def test_only_officials_may_import(client: Client, login, institution_user, trainee_user, catalog) -> None:
    for user in (institution_user, trainee_user):
        login(client, user)
        assert client.get(URL).status_code == 404
        assert client.post(URL, {"file": SimpleUploadedFile("c.xlsx", _xlsx(GOOD))}).status_code == 404
    with pytest.raises(PermissionDenied):
        import_certificates(institution_user, read_certificate_file("c.xlsx", _xlsx(GOOD)))
    assert not Certificate.objects.exists()


def test_a_city_official_imports_only_for_persons_of_the_city(catalog_loaded, nanning_official, catalog) -> None:
    rows = [GOOD[0], ["ZJ-2025-0009", "柳州人", LIUZHOU_PERSON, "职业技能等级证书", "4-04-05-05", "4", "鉴定中心",
                      "2025-10-20"]]
    outcome = import_certificates(nanning_official, read_certificate_file("c.xlsx", _xlsx(rows)),
                                  apply_good_rows=True)
    assert [(problem.row, problem.code) for problem in outcome.problems] == [(3, "other_city")]
    assert list(Certificate.objects.values_list("number", flat=True)) == ["ZJ-2025-0001"]
    assert Certificate.objects.get().kind == CertificateKind.VOCATIONAL_SKILL_LEVEL
    assert Certificate.objects.get().issued_on == date(2025, 10, 20)
