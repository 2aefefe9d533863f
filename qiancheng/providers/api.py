"""`/api/v1/institutions`: registration and the city's qualification review (1c, 3.4c), under city scope."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from qiancheng.accounts.api_errors import ErrorOut
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.catalog.models import City
from qiancheng.providers.models import Institution, InstitutionKind, Teacher
from qiancheng.providers.services import ReviewDecision, add_teacher, register_institution, review_institution

router = Router(tags=["institutions 培训机构"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class InstitutionOut(Schema):
    id: int
    name: str
    uscc: str
    kind: str
    city_code: str
    address: str
    status: str
    status_label: str
    approved_until: dt.date | None

    @staticmethod
    def of(institution: Institution) -> InstitutionOut:
        return InstitutionOut(
            id=institution.pk, name=institution.name, uscc=institution.uscc, kind=institution.kind,
            city_code=institution.city_id, address=institution.address, status=institution.status,
            status_label=institution.get_status_display(), approved_until=institution.approved_until,
        )


class InstitutionIn(Schema):
    name: str
    uscc: str
    kind: InstitutionKind
    city_code: str
    address: str = ""


class ReviewIn(Schema):
    # Defaults so that the scope check answers first: another city's id is a 404 whatever the body.
    decision: ReviewDecision | None = None
    reason: str = ""
    approved_until: dt.date | None = None


@router.get("", response=list[InstitutionOut], summary="机构列表 / institutions you may see")
def list_institutions(request: HttpRequest, status: str | None = Query(None, description="按状态筛选 / filter by status"),
                      limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)) -> list[InstitutionOut]:
    found = scoped(Institution, request.auth).order_by("pk")
    if status is not None:
        found = found.filter(status=status)
    return [InstitutionOut.of(institution) for institution in found[offset:offset + limit]]


@router.post("", response={201: InstitutionOut, **ERRORS}, summary="机构注册申请 / an institution applies (1c)")
def create_institution(request: HttpRequest, payload: InstitutionIn) -> Status:
    city = _city(payload.city_code)
    institution = register_institution(request.auth, name=payload.name, uscc=payload.uscc, kind=payload.kind,
                                       city=city, address=payload.address)
    return Status(201, InstitutionOut.of(institution))


def _city(code: str) -> City:
    city = City.objects.filter(code=code).first()
    if city is None:
        raise ValidationError(f"未知的市代码 {code} / unknown city code {code}", code="city")
    return city


@router.get("/{int:institution_id}", response={200: InstitutionOut, 404: ErrorOut}, summary="机构详情 / one institution")
def get_institution(request: HttpRequest, institution_id: int) -> InstitutionOut:
    return InstitutionOut.of(get_scoped_or_404(Institution, request.auth, pk=institution_id))


@router.post("/{int:institution_id}/review", response={200: InstitutionOut, **ERRORS},
             summary="市级审核：批准/补正/不予通过 / the city's review: approve, ask changes, reject")
def review(request: HttpRequest, institution_id: int, payload: ReviewIn) -> InstitutionOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    if payload.decision is None:
        raise ValidationError("请选择审核结论 / a decision is required (approve, ask_changes, reject)",
                              code="decision")
    return InstitutionOut.of(review_institution(request.auth, institution, payload.decision, payload.reason,
                                                payload.approved_until))


class TeacherIn(Schema):
    # Defaults so that the scope check answers first; the service refuses what is missing.
    id_number: str = ""
    name: str = ""
    qualifications: str = ""


class TeacherOut(Schema):
    id: int
    name: str
    id_number_masked: str
    qualifications: str
    is_active: bool

    @staticmethod
    def of(teacher: Teacher) -> TeacherOut:
        return TeacherOut(id=teacher.pk, name=teacher.name, id_number_masked=teacher.id_number_masked,
                          qualifications=teacher.qualifications, is_active=teacher.is_active)


@router.get("/{int:institution_id}/teachers", response={200: list[TeacherOut], 404: ErrorOut},
            summary="师资名单 / the institution's teachers (ID numbers masked)")
def list_teachers(request: HttpRequest, institution_id: int) -> list[TeacherOut]:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return [TeacherOut.of(teacher) for teacher in institution.teachers.order_by("pk")]


@router.post("/{int:institution_id}/teachers", response={201: TeacherOut, **ERRORS},
             summary="登记师资（一人只属一个机构）/ add a teacher (one institution at a time)")
def post_teacher(request: HttpRequest, institution_id: int, payload: TeacherIn) -> Status:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return Status(201, TeacherOut.of(add_teacher(request.auth, institution, id_number=payload.id_number,
                                                 name=payload.name, qualifications=payload.qualifications)))
