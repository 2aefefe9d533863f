"""`write_frame` puts a frame's values into the table exactly, on SQLite (executemany) and on PostgreSQL
(COPY fed with Polars' CSV text): NULL stays NULL, the empty string stays empty, text with commas, quotes
and line breaks survives, dates, booleans and the defaults of absent columns arrive as the ORM reads them."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.db import transaction

from qiancheng import bulk_insert
from qiancheng.people import crypto
from qiancheng.people.masking import mask_id_number, mask_phone
from qiancheng.people.models import Person
from qiancheng.people.services import ID_NUMBER, PHONE
from qiancheng.web import tabular

NUMBERS = ("110101199003074519", "110101199003073877", "11010119900307155X")
NAMES = ('王, "小" 明', "李\n四", "\\N")  # a comma and quotes, a line break, PostgreSQL's text-format NULL


def _persons() -> pl.DataFrame:
    phones = ["13800138000", "", "13900139000"]
    return pl.DataFrame({
        "person_key": crypto.person_keys(list(NUMBERS)),
        "id_number_enc": [crypto.encrypt(n, purpose=ID_NUMBER) for n in NUMBERS],
        "id_number_masked": [mask_id_number(n) for n in NUMBERS],
        "name": list(NAMES),
        "sex": ["M"] * 3,
        "birth_date": [dt.date(1990, 3, 7)] * 3,
        "county_code": ["110101"] * 3,
        "phone_enc": [crypto.encrypt(p, purpose=PHONE) if p else "" for p in phones],
        "phone_masked": [mask_phone(p) if p else "" for p in phones],
        "receiving_unemployment_benefit": [False, True, False],
        "unemployment_benefit_since": [None, dt.date(2026, 1, 5), None],
    })


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("block_rows", [bulk_insert.COPY_BLOCK_ROWS, 2])
def test_rows_arrive_as_the_frame_holds_them(monkeypatch: pytest.MonkeyPatch, block_rows: int) -> None:
    monkeypatch.setattr(bulk_insert, "COPY_BLOCK_ROWS", block_rows)  # several COPY blocks on PostgreSQL
    frame = _persons()
    advanced: list[int] = []
    with transaction.atomic():
        assert tabular.write_frame(Person, frame, advanced.append) == 3
    assert sum(advanced) == 3
    stored = {p.person_key: p for p in Person.objects.all()}
    for row in frame.iter_rows(named=True):
        person = stored[row["person_key"]]
        assert person.name == row["name"]
        assert person.phone_masked == row["phone_masked"]
        assert person.unemployment_benefit_since == row["unemployment_benefit_since"]
        assert person.receiving_unemployment_benefit is row["receiving_unemployment_benefit"]
        assert person.birth_date == dt.date(1990, 3, 7)
        # Absent columns take the model's defaults; the auto_now stamps the write's time.
        assert person.bank_account_enc == "" and person.has_business_licence is False
        assert person.category == "other" and person.created_at is not None
    assert stored[frame["person_key"][1]].phone_enc == ""
    assert Person.objects.filter(unemployment_benefit_since__isnull=True).count() == 2


@pytest.mark.django_db
def test_a_not_null_column_without_value_or_default_is_refused() -> None:
    with pytest.raises(tabular.BulkWriteError):
        tabular.write_frame(Person, _persons().drop("name"))
