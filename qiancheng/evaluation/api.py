"""`/api/v1/certificates` and `/api/v1/results`: certificates and class results under the caller's scope,
issuing a class's certificates, and importing certificates from the evaluation bodies (1b, 4.2, 4.6, 3.4d).

Every change goes through the services (evaluation/services.py, evaluation/imports.py); every read goes
through `scoped` / `get_scoped_or_404`; errors answer {code, message_zh, message_en} (accounts/api_errors.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.clock import today
from qiancheng.evaluation.imports import import_certificates, rows_from_records
from qiancheng.evaluation.models import Certificate, CertificateKind, CertificateStatus
from qiancheng.evaluation.services import (
    ResultEntry,
    ResultRowsRefused,
    issue_class_certificates,
    latest_evaluations,
    record_class_results,
    revoke_certificate,
)
from qiancheng.people import crypto
from qiancheng.training.models import Enrolment, TrainingClass
from qiancheng.training.services.enrolment import roster_of

router = Router(tags=["certificates 证书"])
results_router = Router(tags=["results 考核结果"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
RELATIONS = ("person", "occupation", "item", "course_kind", "project")


class CertificateOut(Schema):
    number: str
    kind: str
    kind_label: str
    holder_name: str
    holder_id_number_masked: str
    occupation_code: str | None
    occupation_name: str | None
    level: int | None
    item_code: str | None
    course_kind_code: str | None
    project_id: int | None
    title: str
    issuer: str
    issued_on: dt.date
    status: str
    revoked_on: dt.date | None
    source: str = Field(description="issued 本系统发放 (after an evaluation) or imported 评价机构导入")
    class_id: int | None

    @staticmethod
    def of(certificate: Certificate) -> CertificateOut:
        evaluation = certificate.evaluation
        return CertificateOut(
            number=certificate.number, kind=certificate.kind, kind_label=str(certificate.get_kind_display()),
            holder_name=certificate.person.name, holder_id_number_masked=certificate.person.id_number_masked,
            occupation_code=certificate.occupation_id,
            occupation_name=certificate.occupation.name if certificate.occupation_id else None,
            level=certificate.level, item_code=certificate.item_id, course_kind_code=certificate.course_kind_id,
            project_id=certificate.project_id, title=certificate.title, issuer=certificate.issuer,
            issued_on=certificate.issued_on, status=certificate.status, revoked_on=certificate.revoked_on,
            source="issued" if evaluation is not None else "imported",
            class_id=evaluation.enrolment.training_class_id if evaluation is not None else None,
        )


def _certificates() -> Any:
    return Certificate.objects.select_related(*RELATIONS, "evaluation__enrolment")


@router.get("", response=list[CertificateOut], summary="证书列表 / certificates you may see")
def list_certificates(
    request: HttpRequest,
    kind: CertificateKind | None = None,
    status: CertificateStatus | None = None,
    occupation: str | None = Query(None, description="职业编码 / occupation code"),
    class_id: int | None = Query(None, description="发证培训班 / the class it was issued after"),
    id_number: str | None = Query(None, description="持证人身份证号 / holder's ID number (matched by its key)"),
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000_000),
) -> list[CertificateOut]:
    """Filters: kind, status, occupation code, class, holder's ID number, issued_from/issued_to (dates)."""
    found = scoped(_certificates(), request.auth)
    if kind is not None:
        found = found.filter(kind=kind)
    if status is not None:
        found = found.filter(status=status)
    if occupation:
        found = found.filter(occupation_id=occupation.strip())
    if class_id is not None:
        found = found.filter(evaluation__enrolment__training_class_id=class_id)
    if id_number:
        found = found.filter(person_id__in=crypto.person_key_candidates(id_number.strip().upper()))
    if issued_from is not None:
        found = found.filter(issued_on__gte=issued_from)
    if issued_to is not None:
        found = found.filter(issued_on__lte=issued_to)
    return [CertificateOut.of(certificate) for certificate in found.order_by("-issued_on", "number")[offset:offset + limit]]


class ImportRowIn(Schema):
    number: str | None = None
    name: str | None = None
    id_number: str | None = None
    kind: str | None = Field(None, description="证书类型：职业技能等级证书/专项职业能力证书/创业培训合格证书/项目制培训合格证书/其他部门证书 or the code")
    subject: str | None = Field(None, description="职业编码 / 项目编码或名称 / 课程 / 项目编号 / 证书名称")
    level: str | None = Field(None, description="等级 1-5 (skill-level certificates)")
    issuer: str | None = None
    issued_on: str | None = Field(None, description="YYYY-MM-DD")


class ImportIn(Schema):
    rows: list[ImportRowIn] = []
    apply_good_rows: bool = Field(False, description="有错误行时仍导入正确的行 / apply the good rows even when some are bad")


class CertificateImportOut(Schema):
    rows: int
    applied: bool
    created: list[str]
    unchanged: list[str]
    persons_created: int
    problems: list[dict[str, Any]]


@router.post("/import", response={200: CertificateImportOut, **ERRORS},
             summary="导入评价机构证书 / import certificates from the evaluation bodies")
def import_certificate_rows(request: HttpRequest, payload: ImportIn) -> Status:
    """All good rows or nothing, idempotent by certificate number. With bad rows and `apply_good_rows`
    false nothing is written and the answer is 422 `bad_rows` with each row's problems in `details`."""
    try:
        outcome = import_certificates(request.auth, rows_from_records(row.dict() for row in payload.rows),
                                      apply_good_rows=payload.apply_good_rows)
    except ValidationError as error:
        raise _refusal(error) from error
    problems = [problem.as_dict() for problem in outcome.problems]
    if not outcome.applied:
        raise ApiError(422, "bad_rows", f"{len(problems)}处错误，未导入任何证书",
                       f"{len(problems)} problems; nothing was imported", problems)
    return Status(200, CertificateImportOut(rows=outcome.rows, applied=outcome.applied, created=outcome.created,
                                 unchanged=outcome.unchanged, persons_created=outcome.persons_created,
                                 problems=problems))


class IssueIn(Schema):
    # Defaults so that the scope check answers first: another city's class is a 404 whatever the body.
    issuer: str = ""
    issued_on: dt.date | None = Field(None, description="默认今天 / default today")
    other_title: str = Field("", description="一试双证：另一部门证书名称 / another authority's certificate (4.2, 4.6)")
    other_issuer: str = ""


def _refusal(error: ValidationError) -> ApiError:
    """A service's refusal ("中文 / English") as the API's error shape, its code kept."""
    zh, _, en = "；".join(error.messages).partition(" / ")
    return ApiError(422, getattr(error, "code", None) or "invalid", zh, en or zh, list(error.messages))


def _class(request: HttpRequest, class_id: int) -> TrainingClass:
    return get_scoped_or_404(TrainingClass.objects.select_related("project"), request.auth, pk=class_id)


@router.post("/issue/{int:class_id}", response={201: list[CertificateOut], **ERRORS},
             summary="为培训班合格学员发证 / issue the class's certificates (1b, 4.2, 3.4d)")
def issue_for_class(request: HttpRequest, class_id: int, payload: IssueIn) -> Status:
    training = _class(request, class_id)
    try:
        issued = issue_class_certificates(request.auth, training, issuer=payload.issuer,
                                          issued_on=payload.issued_on or today(), other_title=payload.other_title,
                                          other_issuer=payload.other_issuer)
    except ValidationError as error:
        raise _refusal(error) from error
    fresh = _certificates().filter(pk__in=[certificate.pk for certificate in issued]).order_by("number")
    return Status(201, [CertificateOut.of(certificate) for certificate in fresh])


@router.get("/{number}", response={200: CertificateOut, 404: ErrorOut}, summary="证书详情 / one certificate")
def get_certificate(request: HttpRequest, number: str) -> CertificateOut:
    return CertificateOut.of(get_scoped_or_404(_certificates(), request.auth, number=number))


class RevokeIn(Schema):
    reason: str = ""


@router.post("/{number}/revoke", response={200: CertificateOut, **ERRORS},
             summary="撤销证书 / revoke a certificate (6d); claims paid on it become recovery cases")
def revoke(request: HttpRequest, number: str, payload: RevokeIn) -> CertificateOut:
    certificate = get_scoped_or_404(_certificates(), request.auth, number=number)
    try:
        revoke_certificate(request.auth, certificate, payload.reason)
    except PermissionDenied as refusal:
        zh, _, en = str(refusal).partition(" / ")
        raise ApiError(403, "forbidden", zh, en or zh) from refusal
    except ValidationError as error:
        raise _refusal(error) from error
    return CertificateOut.of(_certificates().get(pk=certificate.pk))


# ---------------------------------------------------------------- results


class ResultOut(Schema):
    enrolment_id: int
    name: str
    id_number_masked: str
    passed: bool | None
    score: Decimal | None
    evaluated_on: dt.date | None
    evaluator: str | None
    certificates: list[str]


class ResultRowIn(Schema):
    enrolment_id: int | None = Field(None, description="报名ID / enrolment id (or give id_number)")
    id_number: str | None = Field(None, description="身份证号 / ID number of a trainee of the class")
    passed: bool
    score: Decimal | None = Field(None, ge=0, le=100)


class ResultsIn(Schema):
    rows: list[ResultRowIn] = []
    evaluated_on: dt.date | None = Field(None, description="评价日期，默认今天 / default today")
    evaluator: str = Field("", description="评价机构 / the evaluating body")


def _results(training: TrainingClass) -> list[ResultOut]:
    evaluations = latest_evaluations(training)
    numbers: dict[int, list[str]] = {}
    for enrolment_id, number in (Certificate.objects.filter(evaluation__enrolment__training_class=training)
                                 .order_by("number").values_list("evaluation__enrolment_id", "number")):
        numbers.setdefault(enrolment_id, []).append(number)
    lines = []
    for enrolment in roster_of(training):
        evaluation = evaluations.get(enrolment.pk)
        lines.append(ResultOut(
            enrolment_id=enrolment.pk, name=enrolment.person.name, id_number_masked=enrolment.person.id_number_masked,
            passed=evaluation.passed if evaluation else None, score=evaluation.score if evaluation else None,
            evaluated_on=evaluation.evaluated_on if evaluation else None,
            evaluator=evaluation.evaluator if evaluation else None, certificates=numbers.get(enrolment.pk, []),
        ))
    return lines


@results_router.get("/{int:class_id}", response={200: list[ResultOut], 404: ErrorOut},
                    summary="培训班考核结果 / the class's results")
def get_results(request: HttpRequest, class_id: int) -> list[ResultOut]:
    return _results(_class(request, class_id))


def _row_problem(index: int, field: str, zh: str, en: str) -> dict[str, Any]:
    return {"row": index, "field": field, "message_zh": zh, "message_en": en}


@results_router.post("/{int:class_id}", response={200: list[ResultOut], **ERRORS},
                     summary="录入考核结果 / record the class's results (all rows or none)")
def post_results(request: HttpRequest, class_id: int, payload: ResultsIn) -> Status:
    """Each row names a trainee by enrolment id or ID number. Any bad row: nothing saved, 422 `bad_rows`
    with each row's reason (rows numbered from 1)."""
    training = _class(request, class_id)
    roster = {enrolment.pk: enrolment for enrolment in roster_of(training)}
    by_person = {enrolment.person_id: enrolment for enrolment in roster.values()}
    problems: list[dict[str, Any]] = []
    entries: list[ResultEntry] = []
    row_of: dict[int, int] = {}
    for index, row in enumerate(payload.rows, start=1):
        enrolment: Enrolment | None = None
        if row.enrolment_id is not None:
            enrolment = roster.get(row.enrolment_id)
        elif row.id_number:
            keys = crypto.person_key_candidates(row.id_number.strip().upper())
            enrolment = next((by_person[key] for key in keys if key in by_person), None)
        if enrolment is None:
            problems.append(_row_problem(index, "enrolment", "该学员不在本班名册中", "not a trainee of this class"))
            continue
        if enrolment.pk in row_of:
            problems.append(_row_problem(index, "enrolment", f"与第{row_of[enrolment.pk]}行是同一学员",
                                         f"the same trainee as row {row_of[enrolment.pk]}"))
            continue
        row_of[enrolment.pk] = index
        entries.append(ResultEntry(enrolment, row.passed, row.score))
    if problems:
        raise ApiError(422, "bad_rows", "部分行有误，未保存任何结果", "some rows are wrong; nothing was saved", problems)
    try:
        record_class_results(request.auth, training, entries, evaluated_on=payload.evaluated_on or today(),
                             evaluator=payload.evaluator)
    except ResultRowsRefused as refused:
        details = [_row_problem(row_of.get(error.enrolment_id, 0), error.field, error.zh, error.en)
                   for error in refused.row_errors]
        raise ApiError(422, "bad_rows", "部分行有误，未保存任何结果", "some rows are wrong; nothing was saved",
                       details) from refused
    except ValidationError as error:
        raise _refusal(error) from error
    return Status(200, _results(training))
