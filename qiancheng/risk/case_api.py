"""`/api/v1/risk/cases`: a city's cases, their timeline, evidence and decisions, under city scope (6d).

Mounted on risk's router (risk/api.py). Every POST body field has a default, so a case of another city
answers 404 before the body is judged; what is missing or wrong is then the services' 4xx, in the shape of
accounts.api_errors. The public notices are `GET /api/v1/risk/notices` (no sign-in, no personal data).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.scope import get_scoped_or_404, public, scoped
from qiancheng.funding.models import SubsidyClaim
from qiancheng.people.models import Person
from qiancheng.providers.models import Institution
from qiancheng.risk import cases
from qiancheng.risk.models import (
    EVIDENCE_MAX_BYTES,
    Case,
    CaseDecision,
    CaseEvidence,
    CaseMeasure,
    CaseStatus,
    MeasureKind,
)
from qiancheng.risk.services import TEXT_MAX, TITLE_MAX, RiskRefused
from qiancheng.sanctions.models import BlacklistEntry

router = Router(tags=["risk 风险防控"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut}
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
PersonKey = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Ref = Annotated[str, Field(max_length=cases.REF_MAX)]
OPTIONAL_FILE = File(None)  # optional in the signature, so the scope check answers (404) before a 422


class RiskCaseNoteOut(Schema):
    id: int
    text: str
    written_at: dt.datetime


class RiskMeasureOut(Schema):
    id: int
    kind: str
    institution_id: int | None
    person_masked: str  # the person's masked ID number, "" when none
    recovery_id: int | None
    listing_id: int | None
    listed_from: dt.date | None
    listed_until: dt.date | None
    referral_document_ref: str
    referral_date: dt.date | None
    referred_to: str

    @staticmethod
    def of(row: CaseMeasure) -> RiskMeasureOut:
        listing = row.listing
        return RiskMeasureOut(
            id=row.pk, kind=row.kind, institution_id=row.institution_id,
            person_masked=row.person.id_number_masked if row.person_id else "", recovery_id=row.recovery_id,
            listing_id=row.listing_id, listed_from=listing.listed_from if listing else None,
            listed_until=listing.listed_until if listing else None, referral_document_ref=row.referral_document_ref,
            referral_date=row.referral_date, referred_to=row.referred_to)


class RiskDecisionOut(Schema):
    id: int
    decided_on: dt.date
    decided_at: dt.datetime
    reason: str
    document_ref: str
    closes_case: bool
    measures: list[RiskMeasureOut]

    @staticmethod
    def of(decision: CaseDecision) -> RiskDecisionOut:
        return RiskDecisionOut(
            id=decision.pk, decided_on=decision.decided_on, decided_at=decision.decided_at, reason=decision.reason,
            document_ref=decision.document_ref, closes_case=decision.closes_case,
            measures=[RiskMeasureOut.of(row) for row in decision.measures.select_related("person", "listing")])


class RiskEvidenceOut(Schema):
    id: int
    file_name: str
    description: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime

    @staticmethod
    def of(row: CaseEvidence) -> RiskEvidenceOut:
        return RiskEvidenceOut(id=row.pk, file_name=row.file_name, description=row.description,
                               content_type=row.content_type, size=row.size, sha256=row.sha256,
                               uploaded_at=row.uploaded_at)


class RiskCaseOut(Schema):
    id: int
    city: str
    title: str
    status: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    signal_ids: list[int]
    candidate_ids: list[int]
    notes: list[RiskCaseNoteOut]
    evidence: list[RiskEvidenceOut]
    decisions: list[RiskDecisionOut]

    @staticmethod
    def of(case: Case) -> RiskCaseOut:
        return RiskCaseOut(
            id=case.pk, city=case.city_id, title=case.title, status=case.status, opened_at=case.opened_at,
            closed_at=case.closed_at, signal_ids=list(case.signals.values_list("pk", flat=True)),
            candidate_ids=list(case.candidates.values_list("pk", flat=True)),
            notes=[RiskCaseNoteOut(id=note.pk, text=note.text, written_at=note.written_at)
                   for note in case.notes.all()],
            evidence=[RiskEvidenceOut.of(row) for row in case.evidence.defer("content")],
            decisions=[RiskDecisionOut.of(decision) for decision in case.decisions.all()])


class RiskCaseOpenIn(Schema):
    title: str = Field("", max_length=TITLE_MAX)
    signal_ids: list[Id] = Field(default_factory=list, max_length=200)
    candidate_ids: list[Id] = Field(default_factory=list, max_length=200)


class RiskCaseNoteIn(Schema):
    text: str = Field("", max_length=TEXT_MAX)


class RiskMeasureIn(Schema):
    kind: str = Field("", max_length=24)  # one of MeasureKind but lifting (POST .../lift)
    claim_id: Id | None = None  # recovery: the paid claim
    institution_id: Id | None = None  # suspension, institution_listing, public_notice; referral (optional)
    person_key: PersonKey | None = None  # person_listing; referral (optional)
    listed_from: dt.date | None = None  # listings: first day, today when empty, never before today
    listed_until: dt.date | None = None
    referral_document_ref: Ref = ""  # 移送书文号
    referral_date: dt.date | None = None
    referred_to: Ref = ""  # 受理机关


class RiskDecisionIn(Schema):
    reason: str = Field("", max_length=TEXT_MAX)
    document_ref: Ref = ""  # 处理决定文号
    close: bool = True
    measures: list[RiskMeasureIn] = Field(default_factory=list, max_length=20)


class RiskLiftIn(Schema):
    listing_id: Id | None = None
    last_day: dt.date | None = None  # the last day listed (inclusive): yesterday at the earliest
    reason: str = Field("", max_length=TEXT_MAX)
    document_ref: Ref = ""  # 解除决定文号


class RiskNoticeOut(Schema):
    institution_name: str
    city: str
    measures: list[str]
    decided_on: dt.date
    document_ref: str


def _refused(refusal: RiskRefused) -> ApiError:
    return ApiError(refusal.status, refusal.code, refusal.message_zh, refusal.message_en)


def _case(request: HttpRequest, case_id: int) -> Case:
    return get_scoped_or_404(Case, request.auth, pk=case_id)


@router.get("/cases", response={200: list[RiskCaseOut], **ERRORS}, summary="风险案件 / cases")
def case_list(request: HttpRequest, status: str | None = Query(None, max_length=16),
              limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000_000)) -> Any:
    if status is not None and status not in CaseStatus.values:
        raise ApiError(422, "bad_status", "状态无效", "unknown status")
    rows = scoped(Case, request.auth).prefetch_related("notes")
    rows = rows.filter(status=status) if status else rows
    return [RiskCaseOut.of(case) for case in rows[offset:offset + limit]]


@router.get("/cases/{int:case_id}", response={200: RiskCaseOut, **ERRORS}, summary="一个案件 / one case")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    return RiskCaseOut.of(_case(request, case_id))


@router.post("/cases", response={201: RiskCaseOut, **ERRORS},
             summary="由信号或疑似同一人立案 / open a case from signals or candidates")
def case_open(request: HttpRequest, payload: RiskCaseOpenIn) -> Any:
    try:
        case = cases.open_case(request.auth, payload.title, payload.signal_ids, payload.candidate_ids)
    except RiskRefused as refusal:
        raise _refused(refusal) from refusal
    return Status(201, RiskCaseOut.of(case))


@router.post("/cases/{int:case_id}/notes", response={200: RiskCaseOut, **ERRORS},
             summary="添加办案记录 / add a note")
def case_note(request: HttpRequest, case_id: int, payload: RiskCaseNoteIn) -> Any:
    case = _case(request, case_id)
    try:
        cases.add_note(request.auth, case, payload.text)
    except RiskRefused as refusal:
        raise _refused(refusal) from refusal
    return RiskCaseOut.of(Case.objects.get(pk=case.pk))


@router.post("/cases/{int:case_id}/evidence", response={201: RiskEvidenceOut, **ERRORS},
             summary="上传证据（multipart：file + description；PDF/JPEG/PNG 按内容判断，≤10 MB）/ add evidence "
                     "(PDF, JPEG or PNG by content, at most 10 MB)")
def evidence_add(request: HttpRequest, case_id: int, description: str = Form("", max_length=cases.DESCRIPTION_MAX),
                 file: UploadedFile | None = OPTIONAL_FILE) -> Any:
    case = _case(request, case_id)  # the scope answers (404) before the body is judged
    if file is None:
        raise ApiError(422, "file", "缺少文件", "the file is missing")
    try:
        evidence = cases.add_evidence(request.auth, case, file.name or "", file.read(EVIDENCE_MAX_BYTES + 1),
                                      description)
    except RiskRefused as refusal:
        raise _refused(refusal) from refusal
    return Status(201, RiskEvidenceOut.of(evidence))


@router.get("/cases/{int:case_id}/evidence/{int:evidence_id}", response={403: ErrorOut, 404: ErrorOut},
            summary="下载证据（记入审计）/ download evidence (audited)",
            openapi_extra={"responses": {"200": {"description": "文件 / the file as uploaded", "content": {
                "application/pdf": {}, "image/jpeg": {}, "image/png": {}}}}})
def evidence_download(request: HttpRequest, case_id: int, evidence_id: int) -> HttpResponse:
    case = _case(request, case_id)
    evidence = get_scoped_or_404(CaseEvidence, request.auth, pk=evidence_id, case=case)
    content = cases.evidence_content(request.auth, evidence, request)
    response = HttpResponse(content, content_type=evidence.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(evidence.file_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _measure(request: HttpRequest, given: RiskMeasureIn) -> cases.Measure:
    """The records a measure names, each within the official's scope (another city's: 404)."""
    claim = get_scoped_or_404(SubsidyClaim, request.auth, pk=given.claim_id) if given.claim_id else None
    institution = (get_scoped_or_404(Institution, request.auth, pk=given.institution_id)
                   if given.institution_id else None)
    person = get_scoped_or_404(Person, request.auth, pk=given.person_key) if given.person_key else None
    return cases.Measure(
        kind=given.kind, institution=institution, person=person, claim=claim, listed_from=given.listed_from,
        listed_until=given.listed_until, referral_document_ref=given.referral_document_ref,
        referral_date=given.referral_date, referred_to=given.referred_to)


@router.post("/cases/{int:case_id}/decisions", response={201: RiskDecisionOut, **ERRORS},
             summary="处理决定（一项或多项措施，须说明理由）/ decide: one or more measures, with a reason")
def case_decide(request: HttpRequest, case_id: int, payload: RiskDecisionIn) -> Any:
    case = _case(request, case_id)
    unknown = [given.kind for given in payload.measures if given.kind not in MeasureKind.values]
    if unknown:
        raise ApiError(422, "bad_measure", f"处理措施无效：{', '.join(unknown)}",
                       f"unknown measure: {', '.join(unknown)}; one of {', '.join(MeasureKind.values)}")
    measures = [_measure(request, given) for given in payload.measures]
    try:
        decision = cases.decide_case(request.auth, case, payload.reason, measures, document_ref=payload.document_ref,
                                     close=payload.close)
    except RiskRefused as refusal:
        raise _refused(refusal) from refusal
    return Status(201, RiskDecisionOut.of(decision))


@router.post("/cases/{int:case_id}/lift", response={201: RiskDecisionOut, **ERRORS},
             summary="解除本案的黑名单（须说明理由，不可追溯）/ lift a listing this case made, with a reason")
def case_lift(request: HttpRequest, case_id: int, payload: RiskLiftIn) -> Any:
    case = _case(request, case_id)
    if payload.listing_id is None or payload.last_day is None:
        raise ApiError(422, "lift_incomplete", "请指明黑名单记录和解除后的最后一日",
                       "listing_id and last_day (the last day listed) are required")
    entry = cases.listings_of_case(case).filter(pk=payload.listing_id).first()
    if entry is None or not scoped(BlacklistEntry.objects.filter(pk=entry.pk), request.auth).exists():
        raise ApiError(404, "not_found", "未找到该记录", "No such record")
    try:
        decision = cases.lift_listing(request.auth, case, entry, payload.last_day, payload.reason,
                                      payload.document_ref)
    except RiskRefused as refusal:
        raise _refused(refusal) from refusal
    return Status(201, RiskDecisionOut.of(decision))


@router.get("/notices", response={200: list[RiskNoticeOut]}, auth=None,
            summary="公开通报（机构、处理、日期、文号；不含个人信息）/ published notices (no personal data)")
@public
def notices(request: HttpRequest) -> Any:
    return [RiskNoticeOut(institution_name=each.institution_name, city=each.city_name, measures=each.measures,
                          decided_on=each.decided_on, document_ref=each.document_ref)
            for each in cases.public_notices()]
