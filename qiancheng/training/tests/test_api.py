"""The institutions, classes and imports API under city scope: the journey from registration to roster,
and a 柳州 official who can neither see nor change any of it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from qiancheng.accounts.models import Role, User
from qiancheng.accounts.services import issue_api_token
from qiancheng.accounts.tests.second_factor_support import pass_second_factor
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.providers.models import Institution, InstitutionScope
from qiancheng.training.models import Enrolment, ImportJob
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

ROSTER = (Path(__file__).parent / "files" / "roster_with_bad_rows.xlsx").read_bytes()
# On the programme's clock, not the machine's: a roster closes on its class's last day by that clock.
NEXT_YEAR = (today() + timedelta(days=365)).isoformat()


class Api:
    """A bearer-token client for one user."""

    def __init__(self, user: User) -> None:
        with transaction.atomic():
            self.token, _ = issue_api_token(user, second_factor=pass_second_factor(user))
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", **self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json", **self.headers)

    def upload(self, path: str, name: str, data: bytes) -> Any:
        return self.client.post(f"/api/v1{path}", {"file": SimpleUploadedFile(name, data)}, **self.headers)


def _class_body(institution: Institution) -> dict[str, Any]:
    start = today() + timedelta(days=30)
    return {"institution_id": institution.pk, "name": "人工智能训练师四级班", "training_type": "occupational",
            "occupation_code": builders.occupation().code, "level": 4, "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=25)).isoformat(), "class_hours": 120,
            "cost_government": "1200.00", "cost_individual": "300.00"}


def test_register_review_open_class_upload_and_apply(nanning_official: User, liuzhou_official: User) -> None:
    city = builders.city()
    registrant = User.objects.create(username="applicant", role="")
    created = Api(registrant).post("/institutions", {"name": "南宁市技能之光培训学校", "uscc": "91450100MA5K12340N",
                                                     "kind": "private_school", "city_code": city.code})
    assert created.status_code == 201, created.json()
    institution_id = created.json()["id"]
    city_api, other_city = Api(nanning_official), Api(liuzhou_official)

    assert other_city.post(f"/institutions/{institution_id}/review",
                           {"decision": "approve", "reason": "可以", "approved_until": NEXT_YEAR}).status_code == 404
    reviewed = city_api.post(f"/institutions/{institution_id}/review",
                             {"decision": "approve", "reason": "材料齐全", "approved_until": NEXT_YEAR})
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "approved"

    institution = Institution.objects.get(pk=institution_id)
    InstitutionScope.objects.create(institution=institution, training_type=TrainingType.OCCUPATIONAL,
                                    occupation=builders.occupation(), max_level=3)
    school = Api(User.objects.create(username="school", role=Role.INSTITUTION, institution=institution))
    opened = school.post("/classes", _class_body(institution))
    assert opened.status_code == 201, opened.json()
    class_id = opened.json()["id"]
    assert opened.json()["cost_total"] in ("1500.00", "1500")
    assert other_city.post(f"/classes/{class_id}/approve").status_code == 404
    assert city_api.post(f"/classes/{class_id}/approve").json()["status"] == "approved"

    uploaded = school.upload(f"/classes/{class_id}/roster", "名册.xlsx", ROSTER)
    assert uploaded.status_code == 201, uploaded.json()
    job = uploaded.json()
    assert (job["status"], job["good_count"], job["bad_count"]) == ("validated", 2, 6)
    assert {problem["row"] for problem in job["problems"]} == {4, 5, 6, 7, 8, 9}
    assert "待机构确认导入" in job["progress_zh"]
    assert school.get(f"/classes/{class_id}/roster").json() == []

    assert other_city.get(f"/imports/{job['id']}").status_code == 404
    assert other_city.post(f"/imports/{job['id']}/apply").status_code == 404
    firm = User.objects.create(username="firm", role=Role.ENTERPRISE, enterprise=builders.enterprise())
    assert Api(firm).post(
        f"/imports/{job['id']}/apply").status_code == 404
    applied = school.post(f"/imports/{job['id']}/apply")  # the institution applies its own good rows
    assert applied.status_code == 200 and applied.json()["applied_count"] == 2
    assert city_api.post(f"/imports/{job['id']}/apply").json()["status"] == "applied"  # idempotent
    roster = school.get(f"/classes/{class_id}/roster").json()
    assert sorted(row["name"] for row in roster) == ["张三", "李四"]
    assert all("*" in row["id_number_masked"] for row in roster)
    assert other_city.get(f"/classes/{class_id}/roster").status_code == 404
    assert Enrolment.objects.filter(training_class_id=class_id).count() == 2


def test_liuzhou_lists_none_of_nanning(persona_institution, liuzhou_official: User) -> None:
    training = builders.training_class(institution=persona_institution)
    ImportJob.objects.create(training_class=training, file_name="名册.xlsx", file_sha256="0" * 64)
    other_city = Api(liuzhou_official)
    assert other_city.get("/institutions").json() == []
    assert other_city.get("/classes").json() == []
    assert other_city.get(f"/classes/{training.pk}").status_code == 404


@pytest.mark.usefixtures("roster_open")
def test_a_macro_workbook_becomes_a_rejected_job(persona_institution, institution_user: User) -> None:
    training = builders.training_class(institution=persona_institution, status="approved",
                                       start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))
    answer = Api(institution_user).upload(f"/classes/{training.pk}/roster", "名册.xlsm", ROSTER)
    assert answer.status_code == 201 and answer.json()["status"] == "rejected"
    assert "macro" in answer.json()["rejection_reason"]


def test_a_refusal_explains_itself_in_both_languages(persona_institution, institution_user: User) -> None:
    body = {**_class_body(persona_institution), "training_type": "special_ability", "occupation_code": None,
            "level": None, "item_code": builders.item().code, "class_hours": 27}
    InstitutionScope.objects.create(institution=persona_institution, training_type=TrainingType.SPECIAL_ABILITY,
                                    item=builders.item())
    answer = Api(institution_user).post("/classes", body)
    assert answer.status_code == 422
    assert any("第3.2条" in message and "clause 3.2" in message for message in answer.json()["details"])


def test_the_template_downloads_and_the_schema_documents_the_routes(institution_user: User) -> None:
    api = Api(institution_user)
    template = api.get("/imports/template")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/institutions", "/api/v1/classes", "/api/v1/classes/{class_id}/roster",
                 "/api/v1/imports/{import_id}", "/api/v1/imports/{import_id}/apply"):
        assert path in paths, path


def test_attendance_through_the_api(persona_institution, institution_user: User, liuzhou_official: User) -> None:
    training = builders.training_class(institution=persona_institution, status="in_progress", class_hours=10,
                                       start_date=date(2026, 5, 4), end_date=date(2026, 5, 8))
    enrolment = builders.enrolment(training, enrolled_on=date(2026, 5, 4))
    school = Api(institution_user)
    body = {"session_date": "2026-05-04", "marks": [{"enrolment_id": enrolment.pk, "present": True, "hours": "7.5"}]}
    assert Api(liuzhou_official).post(f"/classes/{training.pk}/attendance", body).status_code == 404
    answer = school.post(f"/classes/{training.pk}/attendance", body)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["recorded"] == 1 and "local practice" in answer.json()["threshold_source"]
    rates = school.get(f"/classes/{training.pk}/attendance").json()["rates"]
    assert rates == [{"enrolment_id": enrolment.pk, "rate": "0.75", "below_threshold": True}]


@pytest.mark.usefixtures("roster_open")
def test_one_trainee_enrolled_through_the_api(persona_institution, institution_user: User,
                                              liuzhou_official: User) -> None:
    from qiancheng.people.identity import id_number_check_character

    training = builders.training_class(institution=persona_institution, status="approved",
                                       start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))
    first17 = "45010219930303001"
    body = {"id_number": first17 + id_number_check_character(first17), "name": "蓝一", "category": "other"}
    assert Api(liuzhou_official).post(f"/classes/{training.pk}/enrolments", body).status_code == 404
    answer = Api(institution_user).post(f"/classes/{training.pk}/enrolments", body)
    assert answer.status_code == 201, answer.json()
    assert answer.json()["name"] == "蓝一" and "*" in answer.json()["id_number_masked"]
    wrong = Api(institution_user).post(f"/classes/{training.pk}/enrolments", {**body, "id_number": first17 + "0"})
    assert wrong.status_code == 422 and "校验位" in wrong.json()["details"][0]


def test_teachers_through_the_api(persona_institution, institution_user: User, liuzhou_official: User) -> None:
    from qiancheng.people.identity import id_number_check_character

    first17 = "45010319750505001"
    body = {"id_number": first17 + id_number_check_character(first17), "name": "韦老师", "qualifications": "技师"}
    path = f"/institutions/{persona_institution.pk}/teachers"
    assert Api(liuzhou_official).post(path, body).status_code == 404
    assert Api(institution_user).post(path, body).status_code == 201
    listed = Api(institution_user).get(path).json()
    assert [(row["name"], "*" in row["id_number_masked"]) for row in listed] == [("韦老师", True)]


def test_a_city_sets_its_attendance_threshold_through_the_api(nanning_official: User, liuzhou_official: User,
                                                              institution_user: User) -> None:
    from qiancheng.clock import frozen_at
    from qiancheng.training.models import AttendanceThreshold

    body = {"city_code": "450100", "effective_from": "2026-07-01", "rate": "0.85", "source": "南人社发〔2026〕9号"}
    with frozen_at(date(2026, 6, 15)):
        assert Api(liuzhou_official).post("/classes/attendance-thresholds", body).status_code == 403
        assert Api(institution_user).post("/classes/attendance-thresholds", body).status_code == 403
        too_low = Api(nanning_official).post("/classes/attendance-thresholds", {**body, "rate": "0.40"})
        assert too_low.status_code == 422 and any("50%" in message for message in too_low.json()["details"])
        answer = Api(nanning_official).post("/classes/attendance-thresholds", body)
    assert answer.status_code == 201, answer.json()
    assert answer.json() == {"city_code": "450100", "effective_from": "2026-07-01", "rate": "0.85",
                             "source": "南人社发〔2026〕9号"}
    assert AttendanceThreshold.objects.get().set_by == nanning_official
