"""State changes of training institutions: registration and the city's qualification review (1c, 3.4c).

Each function takes the acting user, checks the actor's right, runs in one transaction and writes the
audit trail. `opening_refusal` is the one answer to "may this institution open a class on this day?".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City
from qiancheng.clock import today
from qiancheng.people import crypto
from qiancheng.people.identity import check_id_number
from qiancheng.people.masking import mask_id_number
from qiancheng.people.services import (
    ID_NUMBER,  # sealed as a person's number: rekey_personal_data opens it so
)
from qiancheng.providers.models import Institution, InstitutionKind, InstitutionStatus, Teacher
from qiancheng.providers.uscc import check_uscc

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

REVIEWED_FIELDS = ("status", "approved_until")


class ReviewDecision(StrEnum):
    """What a city official may decide on an institution's application (1c)."""

    APPROVE = "approve"  # qualified until a date
    ASK_CHANGES = "ask_changes"  # the institution corrects its application and applies again
    REJECT = "reject"  # refused


_DECISION_STATUS = {
    ReviewDecision.APPROVE: InstitutionStatus.APPROVED,
    ReviewDecision.ASK_CHANGES: InstitutionStatus.CHANGES_REQUESTED,
    ReviewDecision.REJECT: InstitutionStatus.REJECTED,
}


@dataclass(frozen=True)
class Refusal:
    """Why something may not happen, in both languages."""

    code: str
    zh: str
    en: str

    def error(self) -> ValidationError:
        return ValidationError(f"{self.zh} / {self.en}", code=self.code)


def register_institution(
    actor: User | None,
    *,
    name: str,
    uscc: str,
    kind: str,
    city: City,
    address: str = "",
) -> Institution:
    """An institution applies for qualification (1c); it starts as "applied", waiting for its city."""
    check = check_uscc(uscc)
    if not check.is_valid:
        reason = check.errors[0]
        raise ValidationError(f"统一社会信用代码：{reason.zh} / USCC: {reason.en}", code="uscc_invalid")
    if kind not in InstitutionKind.values:
        raise ValidationError(f"机构类型 {kind!r} 无效 / unknown institution kind {kind!r}", code="kind_invalid")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("机构名称不能为空 / the institution needs a name", code="name_required")
    with transaction.atomic():
        if Institution.objects.filter(uscc=check.normalised).exists():
            raise ValidationError(
                "该统一社会信用代码已登记 / an institution with this USCC is already registered", code="uscc_taken"
            )
        institution = Institution.objects.create(
            name=cleaned, uscc=check.normalised, kind=kind, city=city, address=address.strip(),
            status=InstitutionStatus.APPLIED,
        )
        record_event(actor, "institution.registered", institution,
                     after=snapshot(institution, ("name", "uscc", "kind", "city_id", "status")))
    return institution


def _require_city_official(actor: User | None, city_id: str) -> None:
    """Only an official of the record's own city reviews it (1c: 各市审核)."""
    if actor is None or actor.role != Role.CITY_OFFICIAL or actor.city_id != city_id:
        raise PermissionDenied("只有本市人社局可以审核 / only the city's own official may review this")


def review_institution(
    actor: User,
    institution: Institution,
    decision: str,
    reason: str,
    approved_until: date | None = None,
) -> Institution:
    """The city's decision on an application: approve until a date, ask for changes, or reject, with a reason."""
    _require_city_official(actor, institution.city_id)
    decision = ReviewDecision(decision)
    if not reason.strip():
        raise ValidationError("审核意见不能为空 / a review needs a reason", code="reason_required")
    if decision == ReviewDecision.APPROVE and (approved_until is None or approved_until <= today()):
        raise ValidationError(
            "认定须有今天之后的有效期 / approval needs a validity end date after today", code="approved_until"
        )
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        if locked.status != InstitutionStatus.APPLIED:
            raise ValidationError(
                f"机构状态为“{locked.get_status_display()}”，不在待审核中 / the institution is not awaiting review",
                code="not_applied",
            )
        before = snapshot(locked, REVIEWED_FIELDS)
        locked.status = _DECISION_STATUS[decision]
        locked.approved_until = approved_until if decision == ReviewDecision.APPROVE else None
        locked.save(update_fields=["status", "approved_until", "updated_at"])
        record_event(actor, f"institution.{decision.value}", locked, before=before,
                     after=snapshot(locked, REVIEWED_FIELDS), reason=reason.strip())
    return locked


def resubmit_institution(actor: User, institution: Institution, *, name: str | None = None,
                         address: str | None = None) -> Institution:
    """The institution answers a request for changes and is back in its city's queue."""
    if actor.role != Role.INSTITUTION or actor.institution_id != institution.pk:
        raise PermissionDenied("只有该机构本身可以重新提交 / only the institution itself may resubmit")
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        if locked.status != InstitutionStatus.CHANGES_REQUESTED:
            raise ValidationError("审核未要求补正 / no changes were asked for", code="not_changes_requested")
        before = snapshot(locked, ("name", "address", "status"))
        locked.name = " ".join(name.split()) if name else locked.name
        locked.address = address.strip() if address is not None else locked.address
        locked.status = InstitutionStatus.APPLIED
        locked.save(update_fields=["name", "address", "status", "updated_at"])
        record_event(actor, "institution.resubmitted", locked, before=before,
                     after=snapshot(locked, ("name", "address", "status")))
    return locked


def opening_refusal(institution: Institution, on: date) -> Refusal | None:
    """Why the institution may not open a class (or be chosen) on `on`, or None when it may (1c, 3.4c, 6d).

    An approval whose end date has passed counts as expired even before anyone marks it so.
    """
    from qiancheng.risk.models import BlacklistEntry

    listed = BlacklistEntry.objects.filter(institution=institution, listed_from__lte=on).filter(
        Q(listed_until__isnull=True) | Q(listed_until__gte=on)
    )
    if institution.status == InstitutionStatus.BLACKLISTED or listed.exists():
        return Refusal("blacklisted", "机构已列入失信黑名单（第6条(四)）", "the institution is blacklisted (clause 6d)")
    if institution.status == InstitutionStatus.SUSPENDED:
        return Refusal("suspended", "机构资质已暂停", "the institution's qualification is suspended")
    expired = institution.status == InstitutionStatus.EXPIRED or (
        institution.status == InstitutionStatus.APPROVED
        and institution.approved_until is not None
        and institution.approved_until < on
    )
    if expired:
        return Refusal("expired", "机构资质已过有效期", "the institution's qualification has expired")
    if institution.status != InstitutionStatus.APPROVED:
        return Refusal("not_approved", "机构尚未通过资质认定（第1条(三)）", "the institution is not approved (clause 1c)")
    return None


def add_teacher(actor: User, institution: Institution, *, id_number: str, name: str,
                qualifications: str = "") -> Teacher:
    """Add a member of the institution's teaching team (1c); a teacher belongs to one institution at a time."""
    if actor.role != Role.INSTITUTION or actor.institution_id != institution.pk:
        raise PermissionDenied("只有该机构本身可以登记师资 / only the institution itself may add its teachers")
    check = check_id_number(id_number)
    if not check.is_valid:
        reason = check.errors[0]
        raise ValidationError(f"身份证号：{reason.zh} / ID number: {reason.en}", code="id_number")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("教师姓名不能为空 / the teacher needs a name", code="name_required")
    key = crypto.person_key(check.normalised)
    with transaction.atomic():
        elsewhere = Teacher.objects.select_for_update().filter(person_key=key, is_active=True).exclude(
            institution=institution).first()
        if elsewhere is not None:
            raise ValidationError("该教师已是另一机构的在职师资，须先由原机构解除 / the teacher is active at another "
                                  "institution; that institution must release them first", code="teacher_elsewhere")
        teacher, created = Teacher.objects.get_or_create(institution=institution, person_key=key, defaults={
            "name": cleaned, "qualifications": qualifications.strip(),
            "id_number_enc": crypto.encrypt(check.normalised, purpose=ID_NUMBER),
            "id_number_masked": mask_id_number(check.normalised)})
        if not created and not teacher.is_active:
            teacher.is_active = True
            teacher.save(update_fields=["is_active", "updated_at"])
        record_event(actor, "teacher.added", teacher, after={"name": teacher.name, "id_number": teacher.id_number_masked,
                                                             "institution": institution.pk})
    return teacher


def release_teacher(actor: User, teacher: Teacher) -> Teacher:
    """The institution ends a teacher's membership, so that another institution may take them on."""
    if actor.role != Role.INSTITUTION or actor.institution_id != teacher.institution_id:
        raise PermissionDenied("只有该机构本身可以解除师资 / only the teacher's institution may release them")
    with transaction.atomic():
        teacher.is_active = False
        teacher.save(update_fields=["is_active", "updated_at"])
        record_event(actor, "teacher.released", teacher, before={"is_active": True}, after={"is_active": False})
    return teacher
