"""What-if in the API (R4): `/api/v1/insight/what-if/drafts…`, the province's parameter drafts and their replay over
stored claims. Routes added to insight's router (imported by qiancheng/api.py); the answers are insight.what_if's,
the same as the page's (docs/what-if.md). Every other role is refused 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Schema, Status

from qiancheng.accounts.api_errors import ApiError
from qiancheng.accounts.models import Role
from qiancheng.insight import what_if
from qiancheng.insight.api import ERRORS, router
from qiancheng.insight.models import ParameterDraft, WhatIfReplay
from qiancheng.web.task_queue import task_state

DRAFT_ID_MAX = 2_147_483_647


def _province(request: HttpRequest) -> Any:
    user = request.auth
    if getattr(user, "role", None) != Role.PROVINCE_OFFICIAL:
        raise ApiError(403, "forbidden", "只有自治区人社厅可以做参数测算", "Only the province runs what-if replays")
    return user


def _province_or_404(request: HttpRequest) -> Any:
    """For a route that names a draft: another role gets the same 404 as a draft that does not exist, so it
    cannot learn which drafts exist (tests/test_scope_everywhere.py)."""
    user = request.auth
    if getattr(user, "role", None) != Role.PROVINCE_OFFICIAL:
        raise Http404
    return user


def _refused(refusal: what_if.DraftRefused | PermissionDenied) -> ApiError:
    if isinstance(refusal, PermissionDenied):
        return ApiError(403, "forbidden", "只有自治区人社厅可以做参数测算", "Only the province runs what-if replays")
    return ApiError(422, refusal.code, refusal.zh, refusal.en)


def _draft(draft_id: int) -> ParameterDraft:
    found = ParameterDraft.objects.select_related("author").filter(pk=draft_id).first()
    if found is None:
        raise Http404
    return found


class WhatIfChangeIn(Schema):
    """One change; the fields its kind needs (docs/what-if.md). Amounts and fractions are decimal text."""

    kind: str = Field("", max_length=16, description="standard | ui_standard | ai_uplift | plan_figure")
    training_type: str | None = Field(None, max_length=24)
    level: int | None = Field(None, ge=1, le=5)
    course_kind: str | None = Field(None, max_length=24)
    city_code: str | None = Field(None, max_length=6)
    name: str | None = Field(None, max_length=48, description="plan_figure: which figure")
    amount: str | None = Field(None, max_length=24)
    uplift: str | None = Field(None, max_length=24)
    value: str | None = Field(None, max_length=24)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class ParameterDraftIn(Schema):
    title: str = Field("", max_length=what_if.TITLE_MAX)
    changes: list[WhatIfChangeIn] = Field(default_factory=list, max_length=what_if.MAX_CHANGES)


class ParameterDraftOut(Schema):
    id: int
    title: str
    author: str
    created_at: dt.datetime
    updated_at: dt.datetime
    changes: list[dict[str, Any]]
    described: list[str]

    @staticmethod
    def of(draft: ParameterDraft) -> ParameterDraftOut:
        return ParameterDraftOut(id=draft.pk, title=draft.title, author=draft.author.username, created_at=draft.created_at,
                        updated_at=draft.updated_at, changes=draft.changes,
                        described=[what_if.describe_change(change) for change in draft.changes])


class WhatIfPeriodIn(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class WhatIfGroupOut(Schema):
    key: str
    claims: int
    changed: int
    people: int
    newly_eligible: int
    newly_denied: int
    before: str
    after: str
    difference: str  # signed, two places: "+300.00"

    @staticmethod
    def of(group: what_if.Group) -> WhatIfGroupOut:
        return WhatIfGroupOut(key=group.key, claims=group.claims, changed=group.changed, people=group.people,
                        newly_eligible=group.newly_eligible, newly_denied=group.newly_denied,
                        before=str(group.before), after=str(group.after), difference=f"{group.difference:+.2f}")


class WhatIfChangedClaimOut(Schema):
    number: str
    city_code: str
    fund: str
    training_type: str
    eligible_before: bool
    eligible_after: bool
    amount_before: str
    amount_after: str
    denied_by_before: str
    denied_by_after: str
    changes_side: bool


class WhatIfReplayOut(Schema):
    draft_id: int
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    baseline_params_id: str
    draft_params_id: str
    claims: int
    changed: int
    people: int
    newly_eligible: int
    newly_denied: int
    total_before: str
    total_after: str
    difference: str
    by_city: list[WhatIfGroupOut]
    by_fund: list[WhatIfGroupOut]
    by_training_type: list[WhatIfGroupOut]
    changed_claims: list[WhatIfChangedClaimOut]
    seconds: float
    reproducible_offline: bool  # False: the draft changes plan figures an exchange parameter file cannot carry


@router.get("/what-if/drafts", response={200: list[ParameterDraftOut], **ERRORS}, summary="参数测算草案 / parameter drafts")
def list_drafts(request: HttpRequest, limit: int = Query(100, ge=1, le=500),
                offset: int = Query(0, ge=0, le=1_000_000_000)) -> Any:
    _province(request)
    return [ParameterDraftOut.of(each) for each in ParameterDraft.objects.select_related("author")[offset:offset + limit]]


@router.post("/what-if/drafts", response={201: ParameterDraftOut, **ERRORS},
             summary="起草参数改动（不用于真实判定）/ draft changed parameters (never decides real claims)")
def post_draft(request: HttpRequest, payload: ParameterDraftIn) -> Any:
    user = _province(request)
    try:
        # Every change is checked before the draft is made, so a bad change leaves no half-made draft behind.
        for change in payload.changes:
            what_if.checked_change(change.dict())
        draft = what_if.create_draft(user, payload.title)
        for change in payload.changes:
            draft = what_if.add_change(user, draft.pk, change.dict())
    except (what_if.DraftRefused, PermissionDenied) as refusal:
        raise _refused(refusal) from refusal
    return Status(201, ParameterDraftOut.of(_draft(draft.pk)))


@router.get("/what-if/drafts/{int:draft_id}", response={200: ParameterDraftOut, **ERRORS}, summary="一个草案 / one draft")
def get_draft(request: HttpRequest, draft_id: int) -> Any:
    _province_or_404(request)
    return ParameterDraftOut.of(_draft(draft_id))


@router.post("/what-if/drafts/{int:draft_id}/changes", response={201: ParameterDraftOut, **ERRORS},
             summary="草案添加一项变更 / add a change to a draft")
def post_change(request: HttpRequest, draft_id: int, payload: WhatIfChangeIn) -> Any:
    user = _province_or_404(request)
    _draft(draft_id)
    try:
        draft = what_if.add_change(user, draft_id, payload.dict())
    except (what_if.DraftRefused, PermissionDenied) as refusal:
        raise _refused(refusal) from refusal
    return Status(201, ParameterDraftOut.of(_draft(draft.pk)))


class WhatIfChangeOut(Schema):
    position: int
    change: dict[str, Any]
    described: str


@router.get("/what-if/drafts/{int:draft_id}/changes/{int:position}", response={200: WhatIfChangeOut, **ERRORS},
            summary="草案的一项变更（1 = 第一项）/ one change of a draft (1 = the first)")
def get_change(request: HttpRequest, draft_id: int, position: int) -> Any:
    _province_or_404(request)
    draft = _draft(draft_id)
    if not 1 <= position <= len(draft.changes):
        raise Http404
    change = draft.changes[position - 1]
    return WhatIfChangeOut(position=position, change=change, described=what_if.describe_change(change))


@router.delete("/what-if/drafts/{int:draft_id}/changes/{int:position}", response={200: ParameterDraftOut, **ERRORS},
               summary="删除草案的一项变更（1 = 第一项）/ remove a change (1 = the first)")
def delete_change(request: HttpRequest, draft_id: int, position: int) -> Any:
    user = _province_or_404(request)
    _draft(draft_id)
    try:
        draft = what_if.remove_change(user, draft_id, position)
    except (what_if.DraftRefused, PermissionDenied) as refusal:
        raise _refused(refusal) from refusal
    return ParameterDraftOut.of(_draft(draft.pk))


class WhatIfReplayJobOut(Schema):
    """A queued replay: its state, one line of progress, and its result once the worker is done."""

    id: int
    draft_id: int
    date_from: dt.date
    date_to: dt.date
    requested_at: dt.datetime
    status: str  # queued | running | done | failed
    task_state: str | None  # the task queue's own state (READY, RUNNING, SUCCESSFUL, FAILED); None if not kept
    progress: str
    progress_en: str
    claims: int | None
    location: str  # this replay's address in the API
    page: str  # and on the site
    result: WhatIfReplayOut | None

    @staticmethod
    def of(job: WhatIfReplay) -> WhatIfReplayJobOut:
        zh, en = what_if.replay_progress(job)
        state = task_state(what_if.run_replay, job.task_id)
        result = what_if.stored_result(job)
        return WhatIfReplayJobOut(
            id=job.pk, draft_id=job.draft_id, date_from=job.date_from, date_to=job.date_to,
            requested_at=job.requested_at, status=job.status, task_state=str(state) if state is not None else None,
            progress=zh, progress_en=en, claims=job.claims, location=f"/api/v1/insight/what-if/replays/{job.pk}",
            page=reverse("insight:what_if_replay", args=[job.draft_id, job.pk]),
            result=_result_out(result) if result else None)


def _result_out(result: what_if.Replay) -> WhatIfReplayOut:
    totals = result.totals
    return WhatIfReplayOut(
        draft_id=result.draft_id, date_from=result.date_from, date_to=result.date_to, as_of=result.as_of,
        baseline_params_id=result.baseline_id, draft_params_id=result.draft_params_id, claims=totals.claims,
        changed=totals.changed, people=result.people, newly_eligible=totals.newly_eligible,
        newly_denied=totals.newly_denied, total_before=str(totals.total_before),
        total_after=str(totals.total_after), difference=f"{result.difference:+.2f}",
        by_city=[WhatIfGroupOut.of(g) for g in result.by_city], by_fund=[WhatIfGroupOut.of(g) for g in result.by_fund],
        by_training_type=[WhatIfGroupOut.of(g) for g in result.by_type],
        changed_claims=[WhatIfChangedClaimOut(
            number=c.number, city_code=c.city, fund=c.fund, training_type=c.training_type,
            eligible_before=c.eligible_before, eligible_after=c.eligible_after, amount_before=str(c.amount_before),
            amount_after=str(c.amount_after), denied_by_before=c.denied_by_before, denied_by_after=c.denied_by_after,
            changes_side=c.changes_side) for c in result.changed],
        seconds=round(result.seconds, 3), reproducible_offline=result.exchange_complete)


@router.post("/what-if/drafts/{int:draft_id}/replay", response={202: WhatIfReplayJobOut, **ERRORS},
             summary="排队测算：按现行参数和草案重新判定期间内的申领并比较 / queue a replay of a period's claims "
                     "under the draft (202 with the replay's address)")
def post_replay(request: HttpRequest, draft_id: int, payload: WhatIfPeriodIn) -> Any:
    user = _province_or_404(request)
    draft = _draft(draft_id)
    if payload.date_from is None or payload.date_to is None:
        raise ApiError(422, "missing_field", "须填写期间起止日期", "date_from and date_to are required")
    try:
        job = what_if.queue_replay(user, draft, payload.date_from, payload.date_to)
    except (what_if.DraftRefused, PermissionDenied) as refusal:
        raise _refused(refusal) from refusal
    return Status(202, WhatIfReplayJobOut.of(job))


@router.get("/what-if/replays/{int:replay_id}", response={200: WhatIfReplayJobOut, **ERRORS},
            summary="一次测算的进度和结果 / a replay's progress and, when done, its result")
def get_replay(request: HttpRequest, replay_id: int) -> Any:
    _province_or_404(request)
    job = WhatIfReplay.objects.filter(pk=replay_id).first()
    if job is None:
        raise Http404
    return WhatIfReplayJobOut.of(job)
