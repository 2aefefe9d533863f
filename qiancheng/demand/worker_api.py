"""`/api/v1/demand/worker-needs` and `/api/v1/demand/consent`: a worker's skill gaps (1c) and their consent to be
contacted by enterprises (1b). Routes added to demand's router (imported by qiancheng/api.py). Scope is
`accounts.scope`'s; the rules are demand/worker_services.py's, the same as the pages'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Schema, Status

from qiancheng.accounts.api_errors import ApiError
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.demand import worker_services
from qiancheng.demand.api import ERRORS, router
from qiancheng.demand.worker_models import ContactConsent, WorkerNeed
from qiancheng.people import crypto
from qiancheng.people.models import Person

LIMIT = Query(100, ge=1, le=500)
OFFSET = Query(0, ge=0, le=1_000_000_000)


def _answer(refusal: ValidationError | PermissionDenied) -> ApiError:
    if isinstance(refusal, PermissionDenied):
        zh, _sep, en = str(refusal).partition(" / ")
        return ApiError(403, "forbidden", zh, en or zh)
    zh, _sep, en = refusal.messages[0].partition(" / ")
    return ApiError(422, refusal.error_list[0].code or "invalid", zh, en or zh)


class WorkerNeedIn(Schema):
    occupation_code: str = Field(..., min_length=1, max_length=16)
    level: int = Field(..., ge=1, le=5)
    county_code: str = Field(..., min_length=1, max_length=6)
    willingness: str = Field(..., max_length=16)
    # Only a city official reporting on a worker's behalf names the worker, by the ID number; never echoed back.
    id_number: str = Field("", max_length=18)


class WorkerNeedOut(Schema):
    id: int
    occupation_code: str
    level: int
    county_code: str
    willingness: str
    reported_by: str
    updated_at: dt.datetime

    @staticmethod
    def of(need: WorkerNeed) -> WorkerNeedOut:
        return WorkerNeedOut(id=need.pk, occupation_code=need.occupation_id, level=need.level,
                             county_code=need.county_id, willingness=need.willingness, reported_by=need.reported_by,
                             updated_at=need.updated_at)


class WorkerNeedSaved(Schema):
    need: WorkerNeedOut
    created: bool
    changed: bool


@router.get("/worker-needs", response={200: list[WorkerNeedOut], **ERRORS},
            summary="劳动者技能需求（本人看自己，市看本市）/ workers' skill gaps in scope")
def worker_needs(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET) -> Any:
    rows = scoped(WorkerNeed, request.auth).order_by("pk")
    return [WorkerNeedOut.of(each) for each in rows[offset:offset + limit]]


def _worker(request: HttpRequest, id_number: str) -> Person:
    user = request.auth
    if user.role == Role.TRAINEE:
        if id_number:
            raise ApiError(422, "id_number_not_allowed", "本人填报无需身份证号", "a worker reporting for themselves "
                           "gives no ID number")
        return get_scoped_or_404(Person, user, pk=user.person_id)
    if user.role != Role.CITY_OFFICIAL:
        raise ApiError(403, "forbidden", "只有本人或所在市可以填报技能需求", "only the worker or their city may report")
    person = Person.objects.filter(person_key__in=crypto.person_key_candidates(id_number.strip().upper())).first() \
        if id_number.strip() else None
    if person is None:
        raise ApiError(422, "person_unknown", "未找到该劳动者，请先登记", "no person with this ID number is registered")
    return person


@router.post("/worker-needs", response={200: WorkerNeedSaved, 201: WorkerNeedSaved, **ERRORS},
             summary="填报技能需求和培训意愿（本人，或市人社局代报）/ report a skill gap: the worker, or their city "
                     "on their behalf")
def report_worker_need(request: HttpRequest, payload: WorkerNeedIn) -> Any:
    person = _worker(request, payload.id_number)
    try:
        result = worker_services.report_worker_need(
            request.auth, person, occupation_code=payload.occupation_code, level=payload.level,
            county_code=payload.county_code, willingness=payload.willingness)
    except (ValidationError, PermissionDenied) as refusal:
        raise _answer(refusal) from refusal
    body = WorkerNeedSaved(need=WorkerNeedOut.of(result.need), created=result.created, changed=result.changed)
    return Status(201, body) if result.created else body


class ConsentIn(Schema):
    scope: str = Field(..., max_length=16)


class ConsentOut(Schema):
    id: int
    scope: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None

    @staticmethod
    def of(consent: ContactConsent) -> ConsentOut:
        return ConsentOut(id=consent.pk, scope=consent.scope, given_at=consent.given_at,
                          withdrawn_at=consent.withdrawn_at)


class ConsentState(Schema):
    in_force: ConsentOut | None
    history: list[ConsentOut]


def _own(request: HttpRequest) -> Person:
    if request.auth.role != Role.TRAINEE:
        raise ApiError(403, "forbidden", "只有本人可以授权或撤回", "only the person may give or withdraw consent")
    return get_scoped_or_404(Person, request.auth, pk=request.auth.person_id)


def _state(request: HttpRequest, person: Person) -> ConsentState:
    current = worker_services.consent_in_force(person)
    return ConsentState(in_force=ConsentOut.of(current) if current else None,
                        history=[ConsentOut.of(each) for each in
                                 scoped(ContactConsent, request.auth).filter(person=person)[:100]])


@router.get("/consent", response={200: ConsentState, **ERRORS},
            summary="本人的企业联系授权及记录 / the trainee's consent to be contacted, and its history")
def consent(request: HttpRequest) -> Any:
    return _state(request, _own(request))


@router.post("/consent", response={200: ConsentState, **ERRORS},
             summary="授权企业联系（profile：遮蔽姓名和证书；phone：另含手机号）/ consent to be contacted")
def give_consent(request: HttpRequest, payload: ConsentIn) -> Any:
    person = _own(request)
    try:
        worker_services.give_consent(request.auth, person, payload.scope)
    except (ValidationError, PermissionDenied) as refusal:
        raise _answer(refusal) from refusal
    return _state(request, person)


@router.post("/consent/withdraw", response={200: ConsentState, **ERRORS},
             summary="撤回企业联系授权 / withdraw the consent; enterprises stop seeing the person at once")
def withdraw_consent(request: HttpRequest) -> Any:
    person = _own(request)
    worker_services.withdraw_consent(request.auth, person)
    return _state(request, person)
