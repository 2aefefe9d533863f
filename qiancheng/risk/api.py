"""`/api/v1/risk`: signals, link candidates and (risk/case_api.py) cases under city scope (issue 12, 6d).

Every POST body field has a default, so a record of another city answers 404 before the body is judged;
what is missing or wrong is then the services' 422, in the shape of accounts.api_errors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.risk import services, tasks
from qiancheng.risk.case_api import router as case_router
from qiancheng.risk.models import (
    CandidateStatus,
    LinkCandidate,
    Signal,
    SignalStatus,
)
from qiancheng.risk.signals import RULES

router = Router(tags=["risk 风险防控"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
PAGE = Query(100, ge=1, le=500)
OFFSET = Query(0, ge=0, le=1_000_000_000)


class RiskSignalOut(Schema):
    id: int
    rule: str
    clause: str
    city: str
    summary: str
    records: list[dict[str, Any]]
    parameters: dict[str, Any]
    institution_id: int | None
    status: str
    case_id: int | None
    found_on: dt.date

    @staticmethod
    def of(row: Signal) -> RiskSignalOut:
        return RiskSignalOut(id=row.pk, rule=row.rule, clause=row.clause, city=row.city_id, summary=row.summary,
                         records=row.records, parameters=row.parameters, institution_id=row.institution_id,
                         status=row.status, case_id=row.case_id, found_on=row.found_on)


class LinkCandidateOut(Schema):
    id: int
    person_a_masked: str
    person_b_masked: str
    name_a: str
    name_b: str
    city: str | None
    match_probability: Decimal
    driver: str
    comparisons: dict[str, Any]
    model_version: str
    status: str
    decision_reason: str
    case_id: int | None
    linked_on: dt.date | None  # the day the merge was confirmed (people.PersonLink)
    merged: bool  # the two ID numbers count as one person for 3.5 now
    undone_on: dt.date | None

    @staticmethod
    def of(row: LinkCandidate) -> LinkCandidateOut:
        return LinkCandidateOut(
            id=row.pk, person_a_masked=row.person_a.id_number_masked, person_b_masked=row.person_b.id_number_masked,
            name_a=row.person_a.name, name_b=row.person_b.name, city=row.city_id,
            match_probability=row.match_probability, driver=row.driver, comparisons=row.comparisons,
            model_version=row.model_version, status=row.status, decision_reason=row.decision_reason,
            case_id=row.case_id, linked_on=row.link.linked_on if row.link else None,
            merged=bool(row.link and row.link.in_force), undone_on=row.link.undone_on if row.link else None)


class LinkDecisionIn(Schema):
    confirm: bool | None = None  # true: one person; false: two people
    reason: str = Field("", max_length=services.TEXT_MAX)


class LinkUndoIn(Schema):
    reason: str = Field("", max_length=services.TEXT_MAX)


def _refused(refusal: services.RiskRefused) -> ApiError:
    return ApiError(refusal.status, refusal.code, refusal.message_zh, refusal.message_en)


def _page(rows: QuerySet, offset: int, limit: int) -> QuerySet:
    return rows[offset:offset + limit]


@router.get("/signals", response={200: list[RiskSignalOut], **ERRORS}, summary="风险信号 / fraud signals")
def signal_list(request: HttpRequest, rule: str | None = Query(None, max_length=32),
                status: str | None = Query(None, max_length=16), limit: int = PAGE, offset: int = OFFSET) -> Any:
    if rule is not None and rule not in RULES:
        raise ApiError(422, "unknown_rule", "没有该信号规则", "no such signal rule")
    if status is not None and status not in SignalStatus.values:
        raise ApiError(422, "bad_status", "状态无效", "unknown status")
    rows = scoped(Signal, request.auth)
    rows = rows.filter(rule=rule) if rule else rows
    rows = rows.filter(status=status) if status else rows
    return [RiskSignalOut.of(row) for row in _page(rows, offset, limit)]


@router.get("/signals/{int:signal_id}", response={200: RiskSignalOut, **ERRORS}, summary="一条风险信号 / one signal")
def signal_detail(request: HttpRequest, signal_id: int) -> Any:
    return RiskSignalOut.of(get_scoped_or_404(Signal, request.auth, pk=signal_id))


@router.get("/candidates", response={200: list[LinkCandidateOut], **ERRORS},
            summary="疑似同一人 / likely same-person pairs")
def candidate_list(request: HttpRequest, status: str | None = Query(None, max_length=16),
                   limit: int = PAGE, offset: int = OFFSET) -> Any:
    if status is not None and status not in CandidateStatus.values:
        raise ApiError(422, "bad_status", "状态无效", "unknown status")
    rows = scoped(LinkCandidate, request.auth).select_related("person_a", "person_b", "link")
    rows = rows.filter(status=status) if status else rows
    return [LinkCandidateOut.of(row) for row in _page(rows, offset, limit)]


@router.post("/candidates/{int:candidate_id}/decide", response={200: LinkCandidateOut, **ERRORS},
             summary="确认或排除疑似同一人（须说明理由）/ confirm or dismiss a candidate, with a reason")
def decide(request: HttpRequest, candidate_id: int, payload: LinkDecisionIn) -> Any:
    candidate = get_scoped_or_404(LinkCandidate, request.auth, pk=candidate_id)
    if payload.confirm is None:
        raise ApiError(422, "confirm_required", "请选择确认或排除", "confirm (true or false) is required")
    try:
        decided = services.decide_candidate(request.auth, candidate, payload.confirm, payload.reason)
    except services.RiskRefused as refusal:
        raise _refused(refusal) from refusal
    return LinkCandidateOut.of(LinkCandidate.objects.select_related("person_a", "person_b", "link").get(pk=decided.pk))


@router.post("/candidates/{int:candidate_id}/undo", response={200: LinkCandidateOut, **ERRORS},
             summary="撤销合并（须说明理由）/ undo a confirmed merge, with a reason")
def undo(request: HttpRequest, candidate_id: int, payload: LinkUndoIn) -> Any:
    candidate = get_scoped_or_404(LinkCandidate, request.auth, pk=candidate_id)
    try:
        undone = services.undo_candidate(request.auth, candidate, payload.reason)
    except services.RiskRefused as refusal:
        raise _refused(refusal) from refusal
    return LinkCandidateOut.of(LinkCandidate.objects.select_related("person_a", "person_b", "link").get(pk=undone.pk))


class ScanOut(Schema):
    task_id: str
    state: str | None = Field(None, description="READY, RUNNING, SUCCESSFUL, FAILED; null where the queue keeps "
                                                 "no result (the immediate backend)")


@router.post("/scan", response={202: ScanOut, **ERRORS},
             summary="发起风险扫描（信号规则与同一人识别，后台运行）/ queue a risk scan: signals, then linkage")
def scan(request: HttpRequest) -> Any:
    try:
        task_id = tasks.queue_scan(request.auth)
    except services.RiskRefused as refusal:
        raise _refused(refusal) from refusal
    return Status(202, ScanOut(task_id=task_id, state=tasks.scan_state(task_id)))


@router.get("/scan/{task_id}", response={200: ScanOut, **ERRORS},
            summary="风险扫描的状态（未知或未保存：404）/ a queued scan's state (unknown or not kept: 404)")
def scan_state(request: HttpRequest, task_id: Annotated[str, Field(max_length=64)]) -> Any:
    if getattr(request.auth, "role", None) not in tasks.MAY_SCAN:
        raise ApiError(403, "forbidden", "只有人社局可以查看风险扫描", "only an official may see a risk scan")
    state = tasks.scan_state(task_id)
    if state is None:  # an unknown id, or a queue that keeps no result: the same 404 as any missing record
        raise ApiError(404, "not_found", "没有该风险扫描", "no such scan")
    return ScanOut(task_id=task_id, state=state)


# Cases: their timeline, evidence, decisions and the public notices (risk/case_api.py).
router.add_router("", case_router)
