"""Hostile input answers 4xx in the API's problem shape (or a plain 400/404 on pages), never a 500.

Each case is one that was found to crash (issue "zero 500s"): NUL bytes, oversized bodies, multipart
bodies without their boundary, list offsets out of range, dates before the rules, slashes in a
certificate number.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/claims", "/api/v1/payments", "/api/v1/recoveries", "/api/v1/classes", "/api/v1/institutions",
         "/api/v1/projects", "/api/v1/certificates"]


@pytest.fixture
def bearer(province_official) -> dict[str, str]:
    with transaction.atomic():
        token, _ = issue_api_token(province_official, second_factor=pass_second_factor(province_official))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def problem(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert {"code", "message_zh", "message_en"} <= set(body)
    return body


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("offset", ["-1", "99999999999999999999999"])
def test_list_offsets_out_of_range_are_422(client: Client, bearer, path: str, offset: str) -> None:
    answer = client.get(path, {"offset": offset}, **bearer)
    assert answer.status_code == 422
    problem(answer)


def test_nul_in_a_query_is_400_on_pages_and_the_api(client: Client, bearer) -> None:
    assert client.get("/occupations/?q=a%00b").status_code == 400
    answer = client.get("/api/v1/catalog/occupations?q=a%00b", **bearer)
    assert answer.status_code == 400 and problem(answer)["code"] == "nul_character"


def test_nul_in_a_json_username_is_400(client: Client) -> None:
    answer = client.post("/api/v1/auth/token", '{"username": "ab\\u0000c", "password": "x"}',
                         content_type="application/json")
    assert answer.status_code == 400 and problem(answer)["code"] == "nul_character"


def test_a_body_over_the_limit_is_413(client: Client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    big = '{"username": "a", "password": "' + "x" * 5000 + '"}'
    answer = client.post("/api/v1/auth/token", big, content_type="application/json")
    assert answer.status_code == 413 and problem(answer)["code"] == "too_large"


@pytest.mark.parametrize("path", ["/api/v1/classes/999999/roster", "/api/v1/classes/999999/attendance/upload",
                                  "/api/v1/institutions/999999/documents"])
def test_multipart_without_a_boundary_is_a_4xx(client: Client, bearer, path: str) -> None:
    answer = client.generic("POST", path, b"--x\r\n", content_type="multipart/form-data", **bearer)
    assert 400 <= answer.status_code < 500
    problem(answer)


def test_employment_due_before_the_rules_is_422(client: Client, bearer) -> None:
    answer = client.get("/api/v1/claims/employment-due", {"on": "1970-01-01"}, **bearer)
    assert answer.status_code == 422 and problem(answer)["code"] == "date_outside_programme"


def test_a_certificate_number_with_a_slash_is_not_found(client: Client) -> None:
    answer = client.get("/verify/", {"number": "a/b"})
    assert answer.status_code == 404


@pytest.mark.parametrize("amount", ["１２３", "1e30", "NaN", "100.001", "1234567890123"])
def test_money_is_plain_ascii_digits_with_two_decimals(client: Client, bearer, amount: str) -> None:
    body = {"source": "employment_subsidy", "year": 2026, "amount": amount, "document_ref": "桂人社发〔2026〕1号",
            "city_code": "450100"}
    answer = client.post("/api/v1/funds/allocations", body, content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY=f"hostile-{amount}", **bearer)
    assert answer.status_code == 422
    assert problem(answer)["code"] == "invalid_input"
