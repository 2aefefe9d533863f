"""Follow-up after a class in the API (1e): `/api/v1/classes/{id}/follow-ups` (read, record in bulk) and
`/api/v1/classes/follow-up-shares` (the share employed per class, institution, occupation or city). Routes added
to the classes router (imported by qiancheng/api.py); the rules are training/services/follow_up.py's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Schema

from qiancheng.accounts.api_errors import ApiError
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.training.api import ERRORS, classes_router
from qiancheng.training.follow_up_models import FOLLOW_UP_MONTHS, EmploymentFollowUp
from qiancheng.training.models import Enrolment, TrainingClass
from qiancheng.training.services import follow_up

ROWS_PER_CALL = 1000
GROUPINGS = ("class", "institution", "occupation", "city")
BY = Query("class", max_length=16)
MONTHS = Query(6, ge=1, le=12)


class FollowUpOut(Schema):
    enrolment_id: int
    months: int
    status: str
    employer: str
    observed_on: dt.date
    recorder_role: str
    recorded_at: dt.datetime

    @staticmethod
    def of(row: EmploymentFollowUp) -> FollowUpOut:
        return FollowUpOut(enrolment_id=row.enrolment_id, months=row.months, status=row.status, employer=row.employer,
                           observed_on=row.observed_on, recorder_role=row.recorder_role, recorded_at=row.recorded_at)


class FollowUpIn(Schema):
    enrolment_id: int = Field(..., ge=1, le=2**31 - 1)
    months: int = Field(..., ge=1, le=12)
    status: str = Field(..., max_length=16)
    employer: str = Field("", max_length=follow_up.EMPLOYER_MAX)
    observed_on: dt.date | None = None


class FollowUpsIn(Schema):
    rows: list[FollowUpIn] = Field(default_factory=list, max_length=ROWS_PER_CALL)


class RecordedOut(Schema):
    changed: int


class EmploymentShareOut(Schema):
    key: str | int | None
    name: str
    recorded: int
    employed: int
    share: Decimal | None


@classes_router.get("/follow-up-shares", response={200: list[EmploymentShareOut], **ERRORS},
                    summary="就业跟踪：按班级、机构、职业或城市的就业比例（结业后3/6/12个月）/ share employed after a "
                            "class, per class, institution, occupation or city")
def shares(request: HttpRequest, by: str = BY, months: int = MONTHS) -> Any:
    if by not in GROUPINGS or months not in FOLLOW_UP_MONTHS:
        raise ApiError(422, "grouping_invalid", "分组须为 class/institution/occupation/city，时点须为3、6或12个月",
                       "by must be class, institution, occupation or city; months 3, 6 or 12")
    rows = follow_up.employment_shares(by, months, scoped(EmploymentFollowUp, request.auth))  # type: ignore[arg-type]
    return [EmploymentShareOut(key=row.key, name=row.name, recorded=row.recorded, employed=row.employed, share=row.share)
            for row in rows]


def _class(request: HttpRequest, class_id: int) -> TrainingClass:
    """The class in the user's scope; a trainee reaches it through their own place in it."""
    if request.auth.role == Role.TRAINEE:
        return get_scoped_or_404(Enrolment.objects.select_related("training_class"), request.auth,
                                 training_class_id=class_id).training_class
    return get_scoped_or_404(TrainingClass, request.auth, pk=class_id)


@classes_router.get("/{int:class_id}/follow-ups", response={200: list[FollowUpOut], **ERRORS},
                    summary="本班就业跟踪记录 / the class's follow-ups in scope")
def follow_ups(request: HttpRequest, class_id: int) -> Any:
    training = _class(request, class_id)
    rows = scoped(EmploymentFollowUp, request.auth).filter(enrolment__training_class=training)
    return [FollowUpOut.of(row) for row in rows.order_by("enrolment_id", "months")]


@classes_router.post("/{int:class_id}/follow-ups", response={200: RecordedOut, **ERRORS},
                     summary="登记就业跟踪（结业后3/6/12个月；全部保存或全部不保存）/ record follow-ups: all or nothing")
def record(request: HttpRequest, class_id: int, payload: FollowUpsIn) -> Any:
    training = _class(request, class_id)
    rows = [follow_up.FollowUpInput(each.enrolment_id, each.months, each.status, each.employer, each.observed_on)
            for each in payload.rows]
    try:
        changed = follow_up.record_follow_ups(request.auth, training, rows)
    except PermissionDenied as refusal:
        zh, _sep, en = str(refusal).partition(" / ")
        raise ApiError(403, "forbidden", zh, en or zh) from refusal
    except follow_up.FollowUpsRefused as refusal:
        raise ApiError(422, "follow_ups_invalid", f"就业跟踪有{len(refusal.problems)}处错误，均未保存",
                       f"{len(refusal.problems)} problems; nothing was saved",
                       details=[problem.as_json() for problem in refusal.problems]) from refusal
    return RecordedOut(changed=changed)
