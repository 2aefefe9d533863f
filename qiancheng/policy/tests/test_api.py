"""`POST /api/v1/decisions`: the same engine online, JSON in the exchange field names."""

from __future__ import annotations

import json

import pytest

from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.policy.tests.claimdata import BASE_PARAMS, PERSON_B, claim

pytestmark = pytest.mark.django_db
URL = "/api/v1/decisions"


def post(client, body: object, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def token(institution_user) -> str:
    return issue_api_token(institution_user)[0]


def test_one_claim_against_a_few_history_records_is_decided_online(client, token):
    history = [{"record_type": "certificate", "record_id": "CERT-1", "id_number": PERSON_B,
                "occupation_code": "4-04-05-05", "level": 3, "record_date": "2024-01-01"}]
    body = {"claims": [claim("C1"), claim("C2", PERSON_B, level=4)], "history": history, "params": BASE_PARAMS}
    response = post(client, body, token)
    assert response.status_code == 200
    payload = response.json()
    assert payload["decisions"] == [
        {"claim_id": "C1", "eligible": True, "training_amount": "1440.00", "employment_amount": "0.00",
         "total_amount": "1440.00", "denied_by": ""},
        {"claim_id": "C2", "eligible": False, "training_amount": "0.00", "employment_amount": "0.00",
         "total_amount": "0.00", "denied_by": "3.5d"},
    ]
    assert payload["as_of"] == "2027-12-31" and payload["rule_version"] and payload["params_id"]


def test_json_numbers_in_the_parameters_stay_exact_decimals(client, token):
    params = {**BASE_PARAMS, "standards": [{"training_type": "occupational", "level": 5, "amount": 1000.005,
                                            "valid_from": "2023-01-01"}], "ai_uplift": {}}
    response = post(client, {"claims": [claim("C1")], "params": params}, token)
    assert response.json()["decisions"][0]["total_amount"] == "1000.01"  # half up, never a float's 1000.00


def test_a_bad_field_is_refused_with_the_row_and_field_in_both_languages(client, token):
    response = post(client, {"claims": [claim("C1", end_date="2025-13-01")], "params": BASE_PARAMS}, token)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "format" and problem["message_zh"] and problem["message_en"]
    assert any("row 1" in text and "end_date" in text for text in problem["problems"])


def test_an_uplift_above_twenty_percent_is_refused(client, token):
    response = post(client, {"claims": [claim("C1")], "params": {**BASE_PARAMS, "ai_uplift": {"450100": "0.21"}}},
                    token)
    assert response.status_code == 422 and "ai_uplift" in response.json()["problems"][0]


def test_a_missing_standard_is_refused_not_paid_as_zero(client, token):
    response = post(client, {"claims": [claim("C1")], "params": {**BASE_PARAMS, "standards": []}}, token)
    assert response.status_code == 422 and response.json()["code"] == "no_standard"


def test_deciding_needs_a_token(client):
    assert post(client, {"claims": [claim("C1")], "params": BASE_PARAMS}, None).status_code == 401


@pytest.mark.parametrize("who", ["trainee_user", "enterprise_user"])
def test_only_the_bureaus_and_institutions_may_run_decisions(client, request, who, nanning_official):
    """A trainee or an enterprise cannot make the server decide claims (10,000 a request) for them."""
    body = {"claims": [claim("C1")], "params": BASE_PARAMS}
    user = request.getfixturevalue(who)
    refused = post(client, body, issue_api_token(user, second_factor=pass_second_factor(user))[0])
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert post(client, body, issue_api_token(nanning_official, second_factor=pass_second_factor(nanning_official))[0]).status_code == 200
