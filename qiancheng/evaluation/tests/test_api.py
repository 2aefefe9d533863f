"""`/api/v1/results` and `/api/v1/certificates`: results, issuing, import, lists and scope over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from qiancheng.accounts.models import User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.evaluation.models import Certificate, Evaluation
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
EVALUATOR = "南宁市职业技能鉴定中心"


def call(client: Client, user: User, method: str, url: str, body: dict[str, Any] | None = None) -> HttpResponse:
    token, _ = issue_api_token(user, second_factor=pass_second_factor(user))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, data=body or {}, content_type="application/json", **headers)


@pytest.fixture
def training(persona_institution):
    return builders.training_class(institution=persona_institution, city=persona_institution.city)


@pytest.fixture
def ids() -> list[str]:
    return [builders.id_number(sequence=sequence) for sequence in (701, 702)]


@pytest.fixture
def roster(training, ids):
    return [builders.enrolment(training, builders.person(name=name, id_number=number))
            for name, number in zip(("王一", "李二"), ids, strict=True)]


def test_results_by_id_number_and_enrolment_then_issue(client: Client, institution_user, training, roster,
                                                       ids) -> None:
    body = {"evaluated_on": "2025-10-08", "evaluator": EVALUATOR,
            "rows": [{"id_number": ids[0], "passed": True, "score": 91}, {"enrolment_id": roster[1].pk, "passed": False}]}
    response = call(client, institution_user, "post", f"/api/v1/results/{training.pk}", body)
    assert response.status_code == 200, response.content
    lines = {line["enrolment_id"]: line for line in response.json()}
    assert lines[roster[0].pk]["passed"] is True and float(lines[roster[0].pk]["score"]) == 91
    assert lines[roster[1].pk]["passed"] is False
    issued = call(client, institution_user, "post", f"/api/v1/certificates/issue/{training.pk}",
                  {"issuer": EVALUATOR, "issued_on": "2025-10-20"})
    assert issued.status_code == 201, issued.content
    [certificate] = issued.json()
    assert certificate["holder_name"] == "王一" and certificate["source"] == "issued"
    assert certificate["holder_id_number_masked"] != ids[0] and certificate["class_id"] == training.pk
    got = call(client, institution_user, "get", f"/api/v1/results/{training.pk}").json()
    assert [line["certificates"] for line in got if line["enrolment_id"] == roster[0].pk] == [[certificate["number"]]]


def test_a_bad_row_saves_nothing_and_names_the_row(client: Client, institution_user, training, roster) -> None:
    body = {"evaluated_on": "2025-10-08", "evaluator": EVALUATOR,
            "rows": [{"enrolment_id": roster[0].pk, "passed": True},
                     {"id_number": builders.id_number(sequence=799), "passed": True}]}
    response = call(client, institution_user, "post", f"/api/v1/results/{training.pk}", body)
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "bad_rows" and error["details"][0]["row"] == 2
    assert "不在本班" in error["details"][0]["message_zh"] and error["message_en"]
    assert not Evaluation.objects.exists()


def test_issuing_without_a_pass_is_refused_in_both_languages(client: Client, nanning_official, training,
                                                             roster) -> None:
    response = call(client, nanning_official, "post", f"/api/v1/certificates/issue/{training.pk}",
                    {"issuer": EVALUATOR})
    assert response.status_code == 422
    assert response.json()["code"] == "none_passed" and "合格" in response.json()["message_zh"]


def test_another_city_gets_404_everywhere(client: Client, liuzhou_official, institution_user, training,
                                          roster) -> None:
    call(client, institution_user, "post", f"/api/v1/results/{training.pk}",
         {"evaluated_on": "2025-10-08", "evaluator": EVALUATOR, "rows": [{"enrolment_id": roster[0].pk, "passed": True}]})
    call(client, institution_user, "post", f"/api/v1/certificates/issue/{training.pk}",
         {"issuer": EVALUATOR, "issued_on": "2025-10-20"})
    number = Certificate.objects.get().number
    for method, url in (("get", f"/api/v1/results/{training.pk}"), ("post", f"/api/v1/results/{training.pk}"),
                        ("post", f"/api/v1/certificates/issue/{training.pk}"),
                        ("get", f"/api/v1/certificates/{number}")):
        response = call(client, liuzhou_official, method, url, {})
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    assert call(client, liuzhou_official, "get", "/api/v1/certificates").json() == []
    mine = call(client, institution_user, "get", "/api/v1/certificates?kind=vocational_skill_level").json()
    assert [each["number"] for each in mine] == [number]
    assert call(client, institution_user, "get", "/api/v1/certificates?kind=special_ability").json() == []


def test_import_over_the_api(client: Client, province_official, nanning_official, ids) -> None:
    builders.occupation()
    row = {"number": "ZJ-API-0001", "name": "王一", "id_number": ids[0], "kind": "职业技能等级证书",
           "subject": "4-04-05-05", "level": "4", "issuer": "鉴定中心", "issued_on": "2025-10-20"}
    bad = {**row, "number": "ZJ-API-0002", "id_number": ids[0][:17] + ("1" if ids[0][17] == "0" else "0")}
    refused = call(client, province_official, "post", "/api/v1/certificates/import", {"rows": [row, bad]})
    assert refused.status_code == 422 and refused.json()["code"] == "bad_rows"
    assert refused.json()["details"][0]["row"] == 2 and refused.json()["details"][0]["column"] == "身份证号"
    assert not Certificate.objects.exists()
    applied = call(client, province_official, "post", "/api/v1/certificates/import",
                   {"rows": [row, bad], "apply_good_rows": True})
    assert applied.status_code == 200 and applied.json()["created"] == ["ZJ-API-0001"]
    again = call(client, province_official, "post", "/api/v1/certificates/import", {"rows": [row]})
    assert again.json()["created"] == [] and again.json()["unchanged"] == ["ZJ-API-0001"]
    one = call(client, province_official, "get", "/api/v1/certificates/ZJ-API-0001").json()
    assert one["source"] == "imported" and one["level"] == 4 and one["holder_name"] == "王一"
    by_holder = call(client, province_official, "get", f"/api/v1/certificates?id_number={ids[0]}").json()
    assert [each["number"] for each in by_holder] == ["ZJ-API-0001"]


def test_an_institution_may_not_import(client: Client, institution_user) -> None:
    response = call(client, institution_user, "post", "/api/v1/certificates/import", {"rows": [{"number": "X"}]})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
