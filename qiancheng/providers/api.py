"""`/api/v1/institutions`: registration, documents, venues, capacity, teachers, the city's qualification
review and discipline (1c, 3.4c, 6d), under city scope.

Refusals answer `{code, message_zh, message_en}` with the service's own code (e.g. `file_type`,
`reason_required`, `wrong_status`); a refusal naming several fields lists them in `details`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from qiancheng.accounts.api_errors import ApiError, ErrorOut
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.catalog.models import City
from qiancheng.clock import today
from qiancheng.people.masking import mask_phone
from qiancheng.providers import services
from qiancheng.providers.models import (
    DOCUMENT_MAX_BYTES,
    DocumentKind,
    Institution,
    InstitutionDocument,
    InstitutionKind,
    Teacher,
    Venue,
)
from qiancheng.providers.services import ReviewDecision, add_teacher, register_institution, review_institution
from qiancheng.sanctions import services as sanctions

router = Router(tags=["institutions 培训机构"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
OPTIONAL_FILE = File(None)


def _split(message: str) -> tuple[str, str]:
    zh, _, en = message.partition(" / ")
    return zh, en or zh


def refusals(handler: Callable[..., Any]) -> Callable[..., Any]:
    """A service's ValidationError as the API's error shape, keeping the service's own code."""

    @wraps(handler)
    def answered(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except ValidationError as refusal:
            if hasattr(refusal, "error_dict"):
                details = [{"field": field, "zh": _split(message)[0], "en": _split(message)[1]}
                           for field, messages in refusal.message_dict.items() for message in messages]
                first = details[0]
                raise ApiError(422, "invalid_fields", f"{first['field']}：{first['zh']}", first["en"],
                               details=details) from refusal
            zh, en = _split(refusal.messages[0])
            raise ApiError(422, refusal.error_list[0].code or "invalid", zh, en,
                           details=refusal.messages[1:] or None) from refusal

    return answered


class ScopeRequestIn(Schema):
    training_type: str
    code: str
    max_level: int | None = None


class InstitutionOut(Schema):
    id: int
    name: str
    uscc: str
    kind: str
    city_code: str
    address: str
    legal_representative: str
    phone_masked: str  # an organisation's phone is often its owner's mobile: masked, as a person's is
    contact_name: str
    status: str
    status_label: str
    shown_status: str  # "expired" once approved_until has passed, whatever is stored
    status_reason: str
    approved_until: dt.date | None
    capacity: int | None
    requested_scopes: list[ScopeRequestIn]
    submitted_at: dt.datetime | None

    @staticmethod
    def of(institution: Institution) -> InstitutionOut:
        return InstitutionOut(
            id=institution.pk, name=institution.name, uscc=institution.uscc, kind=institution.kind,
            city_code=institution.city_id, address=institution.address,
            legal_representative=institution.legal_representative,
            phone_masked=mask_phone(institution.phone) if institution.phone else "",
            contact_name=institution.contact_name, status=institution.status, status_label=str(institution.get_status_display()),
            shown_status=institution.shown_status(today()), status_reason=institution.status_reason,
            approved_until=institution.approved_until, capacity=institution.capacity,
            requested_scopes=[ScopeRequestIn(**data) for data in institution.requested_scopes],
            submitted_at=institution.submitted_at,
        )


class InstitutionIn(Schema):
    name: str
    uscc: str
    kind: InstitutionKind
    city_code: str
    address: str = ""
    legal_representative: str = Field("", description="法定代表人 / legal representative (the registry's)")
    phone: str = Field("", description="单位联系电话 / the organisation's phone; answered masked")
    contact_name: str = ""
    capacity: int | None = None
    requested_scopes: list[ScopeRequestIn] = []


class InstitutionReviewIn(Schema):
    # Defaults so that the scope check answers first: another city's id is a 404 whatever the body.
    decision: ReviewDecision | None = None
    reason: str = ""
    approved_until: dt.date | None = None
    # Positions in requested_scopes granted on approval; omitted = every requested scope.
    granted: list[int] | None = None


@router.get("", response=list[InstitutionOut], summary="机构列表 / institutions you may see")
def list_institutions(request: HttpRequest, status: str | None = Query(None, description="按状态筛选 / filter by status"),
                      limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000_000)) -> list[InstitutionOut]:
    found = scoped(Institution, request.auth).order_by("pk")
    if status is not None:
        found = found.filter(status=status)
    return [InstitutionOut.of(institution) for institution in found[offset:offset + limit]]


@router.post("", response={201: InstitutionOut, **ERRORS}, summary="机构注册申请 / an institution applies (1c)")
@refusals
def create_institution(request: HttpRequest, payload: InstitutionIn) -> Status:
    city = _city(payload.city_code)
    institution = register_institution(request.auth, name=payload.name, uscc=payload.uscc, kind=payload.kind,
                                       city=city, address=payload.address, contact_name=payload.contact_name,
                                       capacity=payload.capacity,
                                       requested_scopes=[wanted.dict() for wanted in payload.requested_scopes],
                                       legal_representative=payload.legal_representative, phone=payload.phone)
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
@refusals
def review(request: HttpRequest, institution_id: int, payload: InstitutionReviewIn) -> InstitutionOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    if payload.decision is None:
        raise ValidationError("请选择审核结论 / a decision is required (approve, ask_changes, reject)",
                              code="decision")
    return InstitutionOut.of(review_institution(request.auth, institution, payload.decision, payload.reason,
                                                payload.approved_until, granted=payload.granted))


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
@refusals
def post_teacher(request: HttpRequest, institution_id: int, payload: TeacherIn) -> Status:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return Status(201, TeacherOut.of(add_teacher(request.auth, institution, id_number=payload.id_number,
                                                 name=payload.name, qualifications=payload.qualifications)))


@router.post("/{int:institution_id}/teachers/{int:teacher_id}/release", response={200: TeacherOut, **ERRORS},
             summary="解除师资（之后可由其他机构登记）/ release a teacher, who may then join another institution")
@refusals
def release(request: HttpRequest, institution_id: int, teacher_id: int) -> TeacherOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    teacher = get_scoped_or_404(Teacher, request.auth, pk=teacher_id, institution=institution)
    return TeacherOut.of(services.release_teacher(request.auth, teacher))


# ---- Profile corrections, documents, venues, capacity (the institution itself) ----

class ResubmitIn(Schema):
    name: str | None = None
    address: str | None = None
    contact_name: str | None = None
    requested_scopes: list[ScopeRequestIn] | None = None
    legal_representative: str | None = None
    phone: str | None = None


@router.post("/{int:institution_id}/resubmit", response={200: InstitutionOut, **ERRORS},
             summary="补正后重新提交 / the institution corrects its application and resubmits (1c)")
@refusals
def resubmit(request: HttpRequest, institution_id: int, payload: ResubmitIn) -> InstitutionOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    scopes = None if payload.requested_scopes is None else [each.dict() for each in payload.requested_scopes]
    return InstitutionOut.of(services.resubmit_institution(
        request.auth, institution, name=payload.name, address=payload.address, contact_name=payload.contact_name,
        requested_scopes=scopes, legal_representative=payload.legal_representative, phone=payload.phone))


class InstitutionFactsIn(Schema):
    # Omitted (None): kept as stored.
    legal_representative: str | None = None
    phone: str | None = None
    address: str | None = None


@router.post("/{int:institution_id}/registry-facts", response={200: InstitutionOut, **ERRORS},
             summary="更新登记信息（法定代表人、单位联系电话、地址）/ the institution updates its registry facts")
@refusals
def registry_facts(request: HttpRequest, institution_id: int, payload: InstitutionFactsIn) -> InstitutionOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return InstitutionOut.of(services.update_registry_facts(
        request.auth, institution, legal_representative=payload.legal_representative, phone=payload.phone,
        address=payload.address))


class RenewalIn(Schema):
    note: str = ""


@router.post("/{int:institution_id}/renewal", response={200: InstitutionOut, **ERRORS},
             summary="认定过期后申请续期 / an expired institution applies for renewal (1c); reviewed via /review")
@refusals
def renewal(request: HttpRequest, institution_id: int, payload: RenewalIn) -> InstitutionOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return InstitutionOut.of(services.apply_for_renewal(request.auth, institution, payload.note))


class DocumentOut(Schema):
    id: int
    kind: str
    kind_label: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime

    @staticmethod
    def of(document: InstitutionDocument) -> DocumentOut:
        return DocumentOut(id=document.pk, kind=document.kind, kind_label=str(document.get_kind_display()),
                           file_name=document.file_name, content_type=document.content_type, size=document.size,
                           sha256=document.sha256, uploaded_at=document.uploaded_at)


def _documents(request: HttpRequest, institution: Institution) -> Any:
    return scoped(InstitutionDocument, request.auth).filter(institution=institution).defer("content")


@router.get("/{int:institution_id}/documents", response={200: list[DocumentOut], 404: ErrorOut},
            summary="机构资料列表 / the institution's documents (without their bytes)")
def list_documents(request: HttpRequest, institution_id: int) -> list[DocumentOut]:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return [DocumentOut.of(document) for document in _documents(request, institution).order_by("pk")]


@router.post("/{int:institution_id}/documents", response={201: DocumentOut, **ERRORS},
             summary="上传资料（multipart：kind + file；PDF/JPEG/PNG 按内容判断，≤10 MB）/ upload a document "
                     "(PDF, JPEG or PNG by content, at most 10 MB)")
@refusals
def upload_document(request: HttpRequest, institution_id: int,
                    kind: str = Form("", description=f"资料类别 / one of {', '.join(DocumentKind.values)}"),
                    file: UploadedFile | None = OPTIONAL_FILE) -> Status:
    # kind and file are optional in the signature so that the scope check answers (404) before a 422.
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    if file is None:
        raise ValidationError("缺少文件 / the file is missing", code="file")
    content = file.read(DOCUMENT_MAX_BYTES + 1)
    document = services.upload_document(request.auth, institution, kind=kind, file_name=file.name or "",
                                        content=content)
    return Status(201, DocumentOut.of(document))


@router.get("/{int:institution_id}/documents/{int:document_id}", response={403: ErrorOut, 404: ErrorOut},
            summary="下载资料（记入审计）/ download a document (audited)",
            openapi_extra={"responses": {"200": {"description": "文件 / the file as uploaded", "content": {
                "application/pdf": {}, "image/jpeg": {}, "image/png": {}}}}})
def download_document(request: HttpRequest, institution_id: int, document_id: int) -> HttpResponse:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    document = get_scoped_or_404(InstitutionDocument.objects.select_related("institution"), request.auth,
                                 pk=document_id, institution=institution)
    content = services.download_document(request.auth, document, request=request)
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.file_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete("/{int:institution_id}/documents/{int:document_id}", response={204: None, **ERRORS},
               summary="删除资料（仅在认定前或补正期间）/ remove a document (only while the application is open)")
@refusals
def delete_document(request: HttpRequest, institution_id: int, document_id: int) -> Status:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    document = get_scoped_or_404(_documents(request, institution), request.auth, pk=document_id)
    services.remove_document(request.auth, document)
    return Status(204, None)


class VenueIn(Schema):
    # Defaults so that the scope check answers first; the service refuses what is missing.
    name: str = ""
    address: str = ""
    area_m2: Decimal = Decimal("0")
    seats: int = 0


class VenueOut(Schema):
    id: int
    name: str
    address: str
    area_m2: Decimal
    seats: int

    @staticmethod
    def of(venue: Venue) -> VenueOut:
        return VenueOut(id=venue.pk, name=venue.name, address=venue.address, area_m2=venue.area_m2, seats=venue.seats)


@router.get("/{int:institution_id}/venues", response={200: list[VenueOut], 404: ErrorOut},
            summary="培训场地 / the institution's venues")
def list_venues(request: HttpRequest, institution_id: int) -> list[VenueOut]:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return [VenueOut.of(venue) for venue in scoped(Venue, request.auth).filter(institution=institution).order_by("pk")]


@router.post("/{int:institution_id}/venues", response={201: VenueOut, **ERRORS},
             summary="登记场地（面积平方米、工位数）/ add a venue (area in m², seats)")
@refusals
def post_venue(request: HttpRequest, institution_id: int, payload: VenueIn) -> Status:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return Status(201, VenueOut.of(services.add_venue(request.auth, institution, name=payload.name,
                                                      address=payload.address, area_m2=payload.area_m2,
                                                      seats=payload.seats)))


@router.get("/{int:institution_id}/venues/{int:venue_id}", response={200: VenueOut, 404: ErrorOut},
            summary="一个场地 / one venue")
def get_venue(request: HttpRequest, institution_id: int, venue_id: int) -> VenueOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return VenueOut.of(get_scoped_or_404(Venue, request.auth, pk=venue_id, institution=institution))


@router.delete("/{int:institution_id}/venues/{int:venue_id}", response={204: None, **ERRORS},
               summary="删除场地 / remove a venue")
@refusals
def delete_venue(request: HttpRequest, institution_id: int, venue_id: int) -> Status:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    services.remove_venue(request.auth, get_scoped_or_404(Venue, request.auth, pk=venue_id, institution=institution))
    return Status(204, None)


class CapacityIn(Schema):
    capacity: int | None = None  # required; defaulted so that the scope check answers first


@router.post("/{int:institution_id}/capacity", response={200: InstitutionOut, **ERRORS},
             summary="填报培训能力（同时在训人数）/ state the capacity (trainees at the same time)")
@refusals
def post_capacity(request: HttpRequest, institution_id: int, payload: CapacityIn) -> InstitutionOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    if payload.capacity is None:
        raise ValidationError("缺少培训能力 / capacity is required", code="capacity")
    return InstitutionOut.of(services.set_capacity(request.auth, institution, payload.capacity))


# ---- Discipline by the city (6d) ----

class DisciplineIn(Schema):
    reason: str = ""
    document_ref: str = ""  # 处理决定文号, kept with a blacklist entry


@router.post("/{int:institution_id}/suspend", response={200: InstitutionOut, **ERRORS},
             summary="暂停资质（须说明理由）/ suspend an approved institution, with a reason")
@refusals
def suspend(request: HttpRequest, institution_id: int, payload: DisciplineIn) -> InstitutionOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return InstitutionOut.of(services.suspend_institution(request.auth, institution, payload.reason))


@router.post("/{int:institution_id}/reinstate", response={200: InstitutionOut, **ERRORS},
             summary="恢复资质（有效期内）/ lift a suspension while the approval is in date")
@refusals
def reinstate(request: HttpRequest, institution_id: int, payload: DisciplineIn) -> InstitutionOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    return InstitutionOut.of(services.reinstate_institution(request.auth, institution, payload.reason))


@router.post("/{int:institution_id}/blacklist", response={200: InstitutionOut, **ERRORS},
             summary="列入失信黑名单（第6条(四)），同时登记黑名单记录 / blacklist (6d), recording a blacklist entry")
@refusals
def blacklist(request: HttpRequest, institution_id: int, payload: DisciplineIn) -> InstitutionOut:
    institution = get_scoped_or_404(Institution, request.auth, pk=institution_id)
    sanctions.list_institution(request.auth, institution, payload.reason, payload.document_ref)
    institution.refresh_from_db()
    return InstitutionOut.of(institution)
