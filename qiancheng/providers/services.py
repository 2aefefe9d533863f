"""State changes of training institutions: registration and the city's qualification review (1c, 3.4c).

Each function takes the acting user, checks the actor's right, runs in one transaction and writes the
audit trail. `opening_refusal` is the one answer to "may this institution open a class on this day?".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role, User
from qiancheng.catalog.models import City, CourseKind, Occupation, SpecialAbilityItem
from qiancheng.catalog.registry_facts import RegistryFacts, check_registry_facts, registry_facts_problems
from qiancheng.catalog.vocabulary import SkillLevel, TrainingType
from qiancheng.clock import today
from qiancheng.people import crypto
from qiancheng.people.identity import check_id_number
from qiancheng.people.masking import mask_id_number, mask_phone
from qiancheng.people.services import (
    ID_NUMBER,  # sealed as a person's number: rekey_personal_data opens it so
)
from qiancheng.providers.models import (
    DOCUMENT_MAX_BYTES,
    DocumentKind,
    Institution,
    InstitutionDocument,
    InstitutionKind,
    InstitutionScope,
    InstitutionStatus,
    Teacher,
    Venue,
)
from qiancheng.providers.uscc import check_uscc
from qiancheng.sanctions import services as sanctions
from qiancheng.web.language import chinese
from qiancheng.web.tabular import sniffed_content_type

REVIEWED_FIELDS = ("status", "approved_until", "status_reason")
PROFILE_FIELDS = ("name", "address", "contact_name", "capacity", "requested_scopes", "status")
# A sanity bound, not a rule of the plan: a typo of 1,000,000 trainees is refused rather than believed.
CAPACITY_MAX = 100_000
# Training types an institution can hold a standing scope for; project training is granted per project (3.4c).
SCOPE_TYPES = (TrainingType.OCCUPATIONAL, TrainingType.SPECIAL_ABILITY, TrainingType.ENTREPRENEURSHIP)


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


@dataclass(frozen=True)
class ScopeRequest:
    """One thing an institution asks to teach: an occupation up to a level, an item, or a course kind."""

    training_type: str
    code: str
    max_level: int | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"training_type": self.training_type, "code": self.code}
        if self.max_level is not None:
            data["max_level"] = self.max_level
        return data

    @classmethod
    def of(cls, data: dict[str, Any]) -> ScopeRequest:
        level = data.get("max_level")
        return cls(str(data.get("training_type", "")), str(data.get("code", "")).strip(),
                   int(level) if level not in (None, "") else None)


def checked_scope_requests(requests: Iterable[ScopeRequest | dict[str, Any]]) -> list[ScopeRequest]:
    """The requests, each checked against the catalog (3.1: an occupation only at a level it has).

    Raises one ValidationError listing every bad request; duplicates are kept once.
    """
    checked: list[ScopeRequest] = []
    problems: list[str] = []
    for raw in requests:
        wanted = raw if isinstance(raw, ScopeRequest) else ScopeRequest.of(raw)
        problem = _scope_problem(wanted)
        if problem:
            problems.append(problem)
        elif wanted not in checked:
            checked.append(wanted)
    if problems:
        raise ValidationError(problems, code="requested_scopes")
    return checked


def _scope_problem(wanted: ScopeRequest) -> str:
    if wanted.training_type == TrainingType.OCCUPATIONAL:
        occupation = Occupation.objects.filter(code=wanted.code).first()
        if occupation is None:
            return f"职业编码 {wanted.code} 不在国家职业分类大典中 / occupation code {wanted.code} is not in the catalog"
        if wanted.max_level not in SkillLevel.values or not occupation.allows_level(wanted.max_level):
            return (f"职业 {occupation.code} {occupation.name} 没有 {wanted.max_level} 级（第3.1条）/ occupation "
                    f"{occupation.code} has no level {wanted.max_level} (clause 3.1)")
        return ""
    if wanted.max_level is not None:
        return f"只有职业技能培训有等级：{wanted.code} / only occupations have a level: {wanted.code}"
    if wanted.training_type == TrainingType.SPECIAL_ABILITY:
        if not SpecialAbilityItem.objects.filter(code=wanted.code, is_active=True).exists():
            return f"专项职业能力项目 {wanted.code} 不存在或已停用 / no active special-ability item {wanted.code}"
        return ""
    if wanted.training_type == TrainingType.ENTREPRENEURSHIP:
        if not CourseKind.objects.filter(code=wanted.code).exists():
            return f"创业培训课程类别 {wanted.code} 不存在 / no entrepreneurship course kind {wanted.code}"
        return ""
    return (f"培训类型 {wanted.training_type!r} 不能申请长期培训范围（项目制培训按项目确定，第3.4条(三)）/ "
            f"no standing scope for training type {wanted.training_type!r} (project training is per project, 3.4c)")


def describe_scope(wanted: ScopeRequest) -> str:
    """The request as a reader says it: "职业 4-04-05-05 人工智能训练师，至四级"."""
    if wanted.training_type == TrainingType.OCCUPATIONAL:
        name = Occupation.objects.filter(code=wanted.code).values_list("name", flat=True).first() or ""
        level = chinese(SkillLevel(wanted.max_level).label) if wanted.max_level in SkillLevel.values else "?"
        return f"职业 {wanted.code} {name}，至{level}"
    if wanted.training_type == TrainingType.SPECIAL_ABILITY:
        name = SpecialAbilityItem.objects.filter(code=wanted.code).values_list("name", flat=True).first() or ""
        return f"专项职业能力 {name}（{wanted.code}）"
    name = CourseKind.objects.filter(code=wanted.code).values_list("name", flat=True).first() or ""
    return f"创业培训 {name}（{wanted.code}）"


def _checked_capacity(capacity: int | None) -> int | None:
    if capacity is None:
        return None
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= CAPACITY_MAX:
        raise ValidationError(
            f"培训能力须为 1 至 {CAPACITY_MAX} 之间的整数（人）/ capacity must be a whole number of trainees "
            f"from 1 to {CAPACITY_MAX}", code="capacity")
    return capacity


def _audited_facts(institution: Institution) -> dict[str, str]:
    """The registry facts as the audit trail keeps them: the phone masked (catalog.registry_facts says why)."""
    return {"legal_representative": institution.legal_representative, "phone": mask_phone(institution.phone)
            if institution.phone else "", "address": institution.address}


def _registration_problems(*, name: str, uscc: str, kind: str, capacity: int | None,
                           requested_scopes: Iterable[ScopeRequest | dict[str, Any]],
                           facts: tuple[str, str, str] = ("", "", "")) -> dict[str, ValidationError]:
    """Every field of an application that is wrong, by field name (the page shows each beside its field)."""
    problems: dict[str, ValidationError] = registry_facts_problems(*facts)
    if not " ".join(name.split()):
        problems["name"] = ValidationError("机构名称不能为空 / the institution needs a name", code="name_required")
    check = check_uscc(uscc)
    if not check.is_valid:
        reason = check.errors[0]
        problems["uscc"] = ValidationError(f"统一社会信用代码：{reason.zh} / USCC: {reason.en}", code="uscc_invalid")
    elif Institution.objects.filter(uscc=check.normalised).exists():
        problems["uscc"] = ValidationError(
            "该统一社会信用代码已登记 / an institution with this USCC is already registered", code="uscc_taken")
    if kind not in InstitutionKind.values:
        problems["kind"] = ValidationError(f"机构类型 {kind!r} 无效 / unknown institution kind {kind!r}",
                                           code="kind_invalid")
    try:
        _checked_capacity(capacity)
    except ValidationError as refusal:
        problems["capacity"] = refusal
    try:
        checked_scope_requests(requested_scopes)
    except ValidationError as refusal:
        problems["requested_scopes"] = refusal
    return problems


def register_institution(
    actor: User | None,
    *,
    name: str,
    uscc: str,
    kind: str,
    city: City,
    address: str = "",
    contact_name: str = "",
    capacity: int | None = None,
    requested_scopes: Iterable[ScopeRequest | dict[str, Any]] = (),
    legal_representative: str = "",
    phone: str = "",
) -> Institution:
    """An institution applies for qualification (1c); it starts as "applied", waiting for its city. Its legal
    representative, phone and address are the registry facts risk compares (6d: catalog.registry_facts)."""
    requested_scopes = list(requested_scopes)
    problems = _registration_problems(name=name, uscc=uscc, kind=kind, capacity=capacity,
                                      requested_scopes=requested_scopes, facts=(legal_representative, phone, address))
    if problems:
        raise next(iter(problems.values()))
    facts = check_registry_facts(legal_representative, phone, address)
    with transaction.atomic():
        normalised = check_uscc(uscc).normalised
        if Institution.objects.select_for_update().filter(uscc=normalised).exists():
            raise ValidationError(
                "该统一社会信用代码已登记 / an institution with this USCC is already registered", code="uscc_taken"
            )
        institution = Institution.objects.create(
            name=" ".join(name.split()), uscc=normalised, kind=kind, city=city, address=facts.address,
            legal_representative=facts.legal_representative, phone=facts.phone,
            contact_name=" ".join(contact_name.split()), capacity=capacity,
            requested_scopes=[wanted.as_json() for wanted in checked_scope_requests(requested_scopes)],
            status=InstitutionStatus.APPLIED, submitted_at=timezone.now(),
        )
        record_event(actor, "institution.registered", institution,
                     after={**snapshot(institution, ("name", "uscc", "kind", "city_id", "status", "capacity",
                                                     "requested_scopes")), **_audited_facts(institution)})
    return institution


def register_institution_with_account(
    request: HttpRequest | None,
    *,
    username: str,
    password: str,
    name: str,
    uscc: str,
    kind: str,
    city: City,
    address: str = "",
    contact_name: str = "",
    capacity: int | None = None,
    requested_scopes: Iterable[ScopeRequest | dict[str, Any]] = (),
    legal_representative: str = "",
    phone: str = "",
) -> User:
    """Public registration (1c): the institution's application and its own login, both or neither.

    Every wrong field is reported at once, by field name, in a ValidationError dict. The password must
    pass the project's password validators; the account can see only its own institution.
    """
    from qiancheng.accounts.services import create_account

    requested_scopes = list(requested_scopes)
    problems = _registration_problems(name=name, uscc=uscc, kind=kind, capacity=capacity,
                                      requested_scopes=requested_scopes, facts=(legal_representative, phone, address))
    username = username.strip()
    try:
        User.username_validator(username)
        if not username:
            raise ValidationError("用户名不能为空 / a username is required", code="username_required")
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("该用户名已被使用 / this username is taken", code="username_taken")
    except ValidationError as refusal:
        problems["username"] = refusal
    try:
        validate_password(password, User(username=username, role=Role.INSTITUTION))
    except ValidationError as refusal:
        problems["password"] = refusal
    if problems:
        raise ValidationError({field: refusal.error_list for field, refusal in problems.items()})
    with transaction.atomic():
        institution = register_institution(None, name=name, uscc=uscc, kind=kind, city=city, address=address,
                                           contact_name=contact_name, capacity=capacity,
                                           requested_scopes=requested_scopes,
                                           legal_representative=legal_representative, phone=phone)
        return create_account(None, username, password, Role.INSTITUTION, request=request,
                              check_password_strength=False, institution=institution)


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
    granted: Sequence[int] | None = None,
) -> Institution:
    """The city's decision on an application (1c): approve until a date, ask for changes, or reject, with a reason.

    Approving grants the requested scopes named by their positions in `granted` (None: all of them);
    only granted scopes (InstitutionScope rows) let an institution open classes.
    """
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
        locked.status_reason = reason.strip()
        locked.save(update_fields=["status", "approved_until", "status_reason", "updated_at"])
        after = snapshot(locked, REVIEWED_FIELDS)
        if decision == ReviewDecision.APPROVE:
            after["granted_scopes"] = [wanted.as_json() for wanted in _grant_scopes(locked, granted)]
        record_event(actor, f"institution.{decision.value}", locked, before=before, after=after,
                     reason=reason.strip())
    return locked


def _grant_scopes(institution: Institution, granted: Sequence[int] | None) -> list[ScopeRequest]:
    requested = [ScopeRequest.of(data) for data in institution.requested_scopes]
    positions = range(len(requested)) if granted is None else sorted(set(granted))
    if any(not 0 <= position < len(requested) for position in positions):
        raise ValidationError("所选培训范围不在申请之列 / a granted scope was not requested", code="granted")
    chosen = [requested[position] for position in positions]
    for wanted in checked_scope_requests(chosen):
        subject: dict[str, Any] = {
            TrainingType.OCCUPATIONAL: {"occupation_id": wanted.code},
            TrainingType.SPECIAL_ABILITY: {"item_id": wanted.code},
            TrainingType.ENTREPRENEURSHIP: {"course_kind_id": wanted.code},
        }[TrainingType(wanted.training_type)]
        InstitutionScope.objects.update_or_create(
            institution=institution, training_type=wanted.training_type, **subject,
            defaults={"max_level": wanted.max_level, "granted_on": today()},
        )
    return chosen


def _require_own_institution(actor: User | None, institution_id: int, doing_zh: str, doing_en: str) -> None:
    if actor is None or actor.role != Role.INSTITUTION or actor.institution_id != institution_id:
        raise PermissionDenied(f"只有该机构本身可以{doing_zh} / only the institution itself may {doing_en}")


def resubmit_institution(actor: User, institution: Institution, *, name: str | None = None,
                         address: str | None = None, contact_name: str | None = None,
                         requested_scopes: Iterable[ScopeRequest | dict[str, Any]] | None = None,
                         legal_representative: str | None = None, phone: str | None = None) -> Institution:
    """The institution answers a request for changes and is back in its city's queue (1c). A fact left None
    keeps what is stored."""
    _require_own_institution(actor, institution.pk, "重新提交", "resubmit")
    if name is not None and not " ".join(name.split()):
        raise ValidationError("机构名称不能为空 / the institution needs a name", code="name_required")
    scopes = checked_scope_requests(requested_scopes) if requested_scopes is not None else None
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        if locked.status != InstitutionStatus.CHANGES_REQUESTED:
            raise ValidationError("审核未要求补正 / no changes were asked for", code="not_changes_requested")
        before = {**snapshot(locked, PROFILE_FIELDS), **_audited_facts(locked)}
        facts = _facts(locked, legal_representative, phone, address)
        locked.name = " ".join(name.split()) if name else locked.name
        locked.address, locked.legal_representative, locked.phone = facts.address, facts.legal_representative, facts.phone
        locked.contact_name = " ".join(contact_name.split()) if contact_name is not None else locked.contact_name
        if scopes is not None:
            locked.requested_scopes = [wanted.as_json() for wanted in scopes]
        locked.status = InstitutionStatus.APPLIED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["name", "address", "legal_representative", "phone", "contact_name",
                                   "requested_scopes", "status", "submitted_at", "updated_at"])
        record_event(actor, "institution.resubmitted", locked, before=before,
                     after={**snapshot(locked, PROFILE_FIELDS), **_audited_facts(locked)})
    return locked


def _facts(stored: Institution, legal_representative: str | None, phone: str | None,
           address: str | None) -> RegistryFacts:
    """The registry facts given (None: the stored one), checked; refused by field name when wrong."""
    return check_registry_facts(
        stored.legal_representative if legal_representative is None else legal_representative,
        stored.phone if phone is None else phone, stored.address if address is None else address)


def update_registry_facts(actor: User, institution: Institution, *, legal_representative: str | None = None,
                          phone: str | None = None, address: str | None = None) -> Institution:
    """The institution keeps its registry facts current (a new legal representative, phone or address), whatever
    its status: risk compares them (6d), so a change is audited with the before and after (phone masked)."""
    _require_own_institution(actor, institution.pk, "更新登记信息", "update its registry facts")
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        before = _audited_facts(locked)
        facts = _facts(locked, legal_representative, phone, address)
        locked.address, locked.legal_representative, locked.phone = facts.address, facts.legal_representative, facts.phone
        locked.save(update_fields=["address", "legal_representative", "phone", "updated_at"])
        after = _audited_facts(locked)
        if after != before:
            record_event(actor, "institution.registry_facts_changed", locked, before=before, after=after)
    return locked


def opening_refusal(institution: Institution, on: date) -> Refusal | None:
    """Why the institution may not open a class (or be chosen) on `on`, or None when it may (1c, 3.4c, 6d).

    An approval whose end date has passed counts as expired even before anyone marks it so.
    """
    if institution.status == InstitutionStatus.BLACKLISTED or sanctions.institution_listed(institution.pk, on):
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
    _require_own_institution(actor, institution.pk, "登记师资", "add its teachers")
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
    _require_own_institution(actor, teacher.institution_id, "解除师资", "release its teachers")
    with transaction.atomic():
        teacher.is_active = False
        teacher.save(update_fields=["is_active", "updated_at"])
        record_event(actor, "teacher.released", teacher, before={"is_active": True}, after={"is_active": False})
    return teacher


# ---- Documents (1c: the papers the city reviews) ----

# Statuses in which the institution may still withdraw a document: before the city has approved it.
_DOCUMENTS_OPEN = (InstitutionStatus.APPLIED, InstitutionStatus.CHANGES_REQUESTED)


def _clean_file_name(file_name: str) -> str:
    """Only the last part of a path, without control characters: the name is shown and sent back as is."""
    base = PureWindowsPath(PurePosixPath(file_name or "").name).name
    cleaned = re.sub(r"[\x00-\x1f\x7f\"]", "", base).strip()
    return cleaned[-255:] if cleaned else ""


def upload_document(actor: User, institution: Institution, *, kind: str, file_name: str,
                    content: bytes) -> InstitutionDocument:
    """The institution adds a document to its file: PDF, JPEG or PNG by content, at most 10 MB (1c)."""
    _require_own_institution(actor, institution.pk, "上传资料", "upload its documents")
    name = _clean_file_name(file_name)
    shown = name or "（无名文件）"
    if kind not in DocumentKind.values:
        raise ValidationError(f"资料类别 {kind!r} 无效 / unknown document kind {kind!r}", code="document_kind")
    if not name:
        raise ValidationError("文件须有名称 / the file needs a name", code="file_name")
    if not content:
        raise ValidationError(f"文件“{shown}”为空 / file {name!r} is empty", code="file_empty")
    if len(content) > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            f"文件“{shown}”超过 10 MB 上限（{len(content) / 1024 / 1024:.1f} MB）/ file {name!r} is over the 10 MB limit",
            code="file_too_large")
    content_type = sniffed_content_type(content)
    if content_type is None:
        raise ValidationError(
            f"文件“{shown}”不是 PDF、JPEG 或 PNG（按文件内容判断）/ file {name!r} is not a PDF, JPEG or PNG "
            "(judged by its content)", code="file_type")
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        if locked.status == InstitutionStatus.BLACKLISTED:
            raise ValidationError("机构已列入黑名单，不能提交资料 / a blacklisted institution cannot submit documents",
                                  code="blacklisted")
        document = InstitutionDocument.objects.create(
            institution=locked, kind=kind, file_name=name, content_type=content_type, size=len(content),
            sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=actor,
        )
        record_event(actor, "institution.document_uploaded", locked, after=_document_facts(document))
    return document


def _document_facts(document: InstitutionDocument) -> dict[str, Any]:
    return {"document": document.pk, "kind": document.kind, "file_name": document.file_name,
            "content_type": document.content_type, "size": document.size, "sha256": document.sha256}


def remove_document(actor: User, document: InstitutionDocument) -> None:
    """The institution withdraws a document, only while its application is open (applied or to be corrected)."""
    _require_own_institution(actor, document.institution_id, "删除资料", "remove its documents")
    with transaction.atomic():
        institution = Institution.objects.select_for_update().get(pk=document.institution_id)
        if institution.status not in _DOCUMENTS_OPEN:
            raise ValidationError(
                f"机构状态为“{institution.get_status_display()}”，审核依据的资料不能删除 / documents cannot be "
                "removed once the application has been decided", code="documents_closed")
        facts = _document_facts(document)
        document.delete()
        record_event(actor, "institution.document_removed", institution, before=facts)


def _may_read(actor: User | None, institution: Institution) -> bool:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return (actor.role == Role.PROVINCE_OFFICIAL
            or (actor.role == Role.CITY_OFFICIAL and actor.city_id == institution.city_id)
            or (actor.role == Role.INSTITUTION and actor.institution_id == institution.pk))


def download_document(actor: User, document: InstitutionDocument, request: HttpRequest | None = None) -> bytes:
    """The document's bytes for its institution or a reviewing official; every download is audited (1c, 6b)."""
    if not _may_read(actor, document.institution):
        raise PermissionDenied("无权查看该资料 / not allowed to read this document")
    with transaction.atomic():
        record_event(actor, "institution.document_downloaded", document.institution,
                     after=_document_facts(document), request=request)
    return bytes(document.content)


# ---- Venues and capacity (1c: 场地、培训能力) ----

def add_venue(actor: User, institution: Institution, *, name: str, address: str, area_m2: Decimal | str,
              seats: int) -> Venue:
    """The institution records a training venue with its floor area (m²) and seats."""
    _require_own_institution(actor, institution.pk, "登记场地", "add its venues")
    cleaned = " ".join(name.split())
    problems: dict[str, list[ValidationError]] = {}
    if not cleaned:
        problems["name"] = [ValidationError("场地名称不能为空 / the venue needs a name", code="name_required")]
    if not address.strip():
        problems["address"] = [ValidationError("场地地址不能为空 / the venue needs an address", code="address_required")]
    try:
        area = Decimal(str(area_m2)).quantize(Decimal("0.01"))
        if not Decimal("0") < area < Decimal("10000000"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems["area_m2"] = [ValidationError("面积须为大于 0 的平方米数 / the area must be a positive number of m²",
                                               code="area")]
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= CAPACITY_MAX:
        problems["seats"] = [ValidationError(f"座位数须为 1 至 {CAPACITY_MAX} 的整数 / seats must be a whole number "
                                             f"from 1 to {CAPACITY_MAX}", code="seats")]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        venue = Venue.objects.create(institution=institution, name=cleaned, address=address.strip(), area_m2=area,
                                     seats=seats)
        record_event(actor, "institution.venue_added", institution,
                     after={"venue": venue.pk, **snapshot(venue, ("name", "address", "area_m2", "seats"))})
    return venue


def remove_venue(actor: User, venue: Venue) -> None:
    """The institution stops using a venue; the audit trail keeps what it was."""
    _require_own_institution(actor, venue.institution_id, "删除场地", "remove its venues")
    with transaction.atomic():
        before = {"venue": venue.pk, **snapshot(venue, ("name", "address", "area_m2", "seats"))}
        institution = venue.institution
        venue.delete()
        record_event(actor, "institution.venue_removed", institution, before=before)


def set_capacity(actor: User, institution: Institution, capacity: int) -> Institution:
    """The institution states how many trainees it can train at the same time (1c)."""
    _require_own_institution(actor, institution.pk, "填报培训能力", "state its capacity")
    _checked_capacity(capacity)
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        before = snapshot(locked, ("capacity",))
        locked.capacity = capacity
        locked.save(update_fields=["capacity", "updated_at"])
        record_event(actor, "institution.capacity_set", locked, before=before, after=snapshot(locked, ("capacity",)))
    return locked


# ---- Discipline by the city (6d): suspend, reinstate; listing is the sanctions register's ----

def _discipline(actor: User, institution: Institution, reason: str, action: str, allowed: Iterable[str],
                new_status: str) -> Institution:
    _require_city_official(actor, institution.city_id)
    if not reason.strip():
        raise ValidationError("须说明理由 / a reason is required", code="reason_required")
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    if locked.status not in allowed:
        raise ValidationError(
            f"机构状态为“{locked.get_status_display()}”，不能{_ACTION_ZH[action]} / an institution that is "
            f"{locked.status} cannot be {action}", code="wrong_status")
    before = snapshot(locked, REVIEWED_FIELDS)
    locked.status = new_status
    locked.status_reason = reason.strip()
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    record_event(actor, f"institution.{action}", locked, before=before, after=snapshot(locked, REVIEWED_FIELDS),
                 reason=reason.strip())
    return locked


_ACTION_ZH = {"suspended": "暂停", "reinstated": "恢复"}


def suspend_institution(actor: User, institution: Institution, reason: str) -> Institution:
    """The city suspends an approved institution pending an investigation; it cannot open classes meanwhile."""
    with transaction.atomic():
        return _discipline(actor, institution, reason, "suspended", (InstitutionStatus.APPROVED,),
                           InstitutionStatus.SUSPENDED)


def reinstate_institution(actor: User, institution: Institution, reason: str) -> Institution:
    """The city lifts a suspension; only while the approval is still in date (else the institution re-applies)."""
    with transaction.atomic():
        if institution.approved_until is None or institution.approved_until < today():
            raise ValidationError("认定有效期已过，须重新申请认定 / the approval has expired; the institution must "
                                  "apply again", code="expired")
        return _discipline(actor, institution, reason, "reinstated", (InstitutionStatus.SUSPENDED,),
                           InstitutionStatus.APPROVED)


def follow_listing(sender: type, entry: Any, actor: User, reason: str, **kwargs: Any) -> None:
    """The register listed an institution (sanctions.services.list_institution): its status says so, from
    the listing's first day (a listing that starts later changes the status when `opening_refusal` and
    the engine read the register on that day; the status follows the listings made for today)."""
    if entry.institution_id is None or not entry.covers(today()):
        return
    locked = Institution.objects.select_for_update().get(pk=entry.institution_id)
    if locked.status == InstitutionStatus.BLACKLISTED:
        return
    before = snapshot(locked, REVIEWED_FIELDS)
    locked.status = InstitutionStatus.BLACKLISTED
    locked.status_reason = reason
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    record_event(actor, "institution.blacklisted", locked, before=before, after=snapshot(locked, REVIEWED_FIELDS),
                 reason=reason)


def follow_lifting(sender: type, entry: Any, actor: User, reason: str, **kwargs: Any) -> None:
    """The register lifted an institution's listing early: a blacklisted institution becomes suspended, so
    it opens classes again only when its city reinstates it (`reinstate_institution`, while the approval
    is in date) or approves its renewal; a listing that starts later still bars it from its first day."""
    if entry.institution_id is None:
        return
    locked = Institution.objects.select_for_update().get(pk=entry.institution_id)
    if locked.status != InstitutionStatus.BLACKLISTED:
        return
    before = snapshot(locked, REVIEWED_FIELDS)
    locked.status = InstitutionStatus.SUSPENDED
    locked.status_reason = reason
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    record_event(actor, "institution.blacklist_lifted", locked, before=before,
                 after=snapshot(locked, REVIEWED_FIELDS), reason=reason)


# ---- Renewal of an expired qualification (1c re-certification) ----

def apply_for_renewal(actor: User, institution: Institution, note: str) -> Institution:
    """An institution whose approval has expired asks its city to certify it again (1c: 资质审核).

    It goes back into the city's queue as an application; the city decides it with `review_institution`
    (approve with a new validity end date, ask for changes, or reject, each with its reason), the same
    review as a first application. Its documents, venues and teachers stay on file and may be updated
    (`upload_document`) before or after applying. While the renewal waits, the institution opens no class:
    only an approval in date lets it (`opening_refusal`).
    """
    _require_own_institution(actor, institution.pk, "申请续期认定", "apply for renewal")
    if not note.strip():
        raise ValidationError("续期申请须说明情况（如资质、场地、师资的变化）/ a renewal needs a note (what changed)",
                              code="note_required")
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        if locked.shown_status(today()) != InstitutionStatus.EXPIRED:
            raise ValidationError(
                f"机构状态为“{locked.shown_status_label(today())}”，只有认定已过期的机构可以申请续期 / only an "
                "institution whose approval has expired may apply for renewal", code="not_expired")
        before = snapshot(locked, REVIEWED_FIELDS)
        # The old end date stays on the record until the review decides, so the reviewer sees when it lapsed.
        locked.status = InstitutionStatus.APPLIED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        documents = list(locked.documents.order_by("pk").values_list("pk", flat=True))
        record_event(actor, "institution.renewal_applied", locked, before=before,
                     after={**snapshot(locked, REVIEWED_FIELDS), "documents": documents}, reason=note.strip())
    return locked
