"""The lifelong record in the API (1e): GET /people/me/record for the trainee, /people/{key}/record for the
province and an official of a city the person trained in (scoped, 404 outside, each read audited)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.models import Role
from qiancheng.portal.lifelong_record import own_record, record_for_official, record_json

router = Router(tags=["people"])


class RecordTrainingOut(Schema):
    class_id: int
    class_name: str
    training_type: str
    occupation_code: str | None
    level: int | None
    item_code: str | None
    start_date: date
    end_date: date
    institution: str
    attendance_rate: Decimal | None
    enrolment_status: str
    passed: bool | None


class RecordCertificateOut(Schema):
    number: str
    kind: str
    occupation_code: str | None
    level: int | None
    item_code: str | None
    issuer: str
    issued_on: date
    status: str


class RecordClaimOut(Schema):
    number: str
    training_type: str
    fund: str
    status: str
    total_amount: Decimal | None
    paid_on: date | None
    employment_proof_kind: str | None
    employment_proof_date: date | None


class RecordLevelOut(Schema):
    code: str
    level: int | None


class RecordEntitlementOut(Schema):
    on: date
    counted: int
    left_this_year: int
    left_in_programme: int
    used: list[RecordLevelOut]
    closed_by_certificate: list[RecordLevelOut]


class RecordFollowUpOut(Schema):
    class_id: int
    months: int
    status: str
    employer: str
    observed_on: date


class LifelongRecordOut(Schema):
    person_key: str
    name: str
    id_number_masked: str
    generated_on: date
    trainings: list[RecordTrainingOut]
    certificates: list[RecordCertificateOut]
    claims: list[RecordClaimOut]
    entitlement: RecordEntitlementOut
    follow_ups: list[RecordFollowUpOut]


@router.get("/me/record", response={200: LifelongRecordOut, 403: ErrorOut},
            summary="我的终身职业技能档案 / my lifelong record")
def my_record(request: HttpRequest) -> dict:
    user = request.auth
    if user.role != Role.TRAINEE or user.person_id is None:
        raise ApiError(403, "trainee_only", "仅学员本人可查看", "only the trainee may read their own record")
    return record_json(own_record(user))


@router.get("/{person_key}/record", response={200: LifelongRecordOut, 404: ErrorOut},
            summary="某人的终身职业技能档案（记入审计）/ a person's lifelong record (audited)")
def person_record(request: HttpRequest, person_key: str) -> dict:
    return record_json(record_for_official(request.auth, person_key, request=request, form="api"))
