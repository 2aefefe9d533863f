"""Recording evaluation results and issuing certificates (1b, 4.2, 4.6).

A class's result is recorded by the institution that taught it or by the city that approved it; a
certificate follows only a pass, names the subject the class taught, and a project-training certificate
waits for the joint confirmation of effect (3.4d).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Length

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.evaluation.models import Certificate, CertificateKind, CertificateStatus, Evaluation
from qiancheng.projects.models import Project
from qiancheng.training.models import Enrolment, TrainingClass

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

RESULT_FIELDS = ("passed", "score", "evaluated_on", "evaluator")
# The certificate a class of each type yields; another authority's certificate may come beside it.
KIND_FOR_TYPE = {
    TrainingType.OCCUPATIONAL: CertificateKind.VOCATIONAL_SKILL_LEVEL,
    TrainingType.SPECIAL_ABILITY: CertificateKind.SPECIAL_ABILITY,
    TrainingType.ENTREPRENEURSHIP: CertificateKind.ENTREPRENEURSHIP,
    TrainingType.PROJECT: CertificateKind.PROJECT_TRAINING,
}
KIND_CODE = {
    CertificateKind.VOCATIONAL_SKILL_LEVEL: "ZJ",
    CertificateKind.SPECIAL_ABILITY: "ZX",
    CertificateKind.ENTREPRENEURSHIP: "CY",
    CertificateKind.PROJECT_TRAINING: "XM",
    CertificateKind.OTHER_AUTHORITY: "QT",
}


def _require_class_party(actor: User, training: TrainingClass) -> None:
    """The class's own institution or its city official; nobody else records results or issues."""
    own_institution = actor.role == Role.INSTITUTION and actor.institution_id == training.institution_id
    own_city = actor.role == Role.CITY_OFFICIAL and actor.city_id == training.city_id
    if not (own_institution or own_city):
        raise PermissionDenied(
            "只有本班的培训机构或所在市人社局可以办理 / only the class's institution or its city official may do this"
        )


def record_result(
    actor: User, enrolment: Enrolment, *, passed: bool, evaluated_on: date, evaluator: str,
    score: Decimal | None = None,
) -> Evaluation:
    """Record (or correct) the one evaluation result of an enrolment; a correction is audited before/after."""
    training = enrolment.training_class
    _require_class_party(actor, training)
    if not evaluator.strip():
        raise ValidationError({"evaluator": "须填写评价机构 / the evaluating body is required"})
    if score is not None and not Decimal("0") <= score <= Decimal("100"):
        raise ValidationError({"score": f"成绩{score}须在0至100之间 / score {score} must be between 0 and 100"})
    if evaluated_on < training.start_date:
        raise ValidationError({"evaluated_on": f"评价日期{evaluated_on}早于开班日期 / evaluation date before the class began"})
    with transaction.atomic():
        existing = Evaluation.objects.select_for_update().filter(enrolment=enrolment).order_by("-evaluated_on").first()
        if existing is not None and existing.certificates.exists() and not passed:
            raise ValidationError(
                "已发证书的评价不能改为不合格，请先撤销证书 / revoke the certificates before marking this evaluation failed",
                code="certificates_issued",
            )
        evaluation = existing or Evaluation(enrolment=enrolment, person_id=enrolment.person_id)
        before = snapshot(existing, RESULT_FIELDS) if existing is not None else None
        evaluation.passed, evaluation.score = passed, score
        evaluation.evaluated_on, evaluation.evaluator, evaluation.recorded_by = evaluated_on, evaluator.strip(), actor
        evaluation.full_clean(exclude=["enrolment", "person", "recorded_by"], validate_constraints=False)
        evaluation.save()
        action = "evaluation.corrected" if existing is not None else "evaluation.recorded"
        record_event(actor, action, evaluation, before=before, after=snapshot(evaluation, RESULT_FIELDS))
    return evaluation


def _subject(kind: str, training: TrainingClass) -> dict[str, object]:
    """The subject fields the certificate names, taken from the class; refused when the kind does not fit."""
    expected = KIND_FOR_TYPE[TrainingType(training.training_type)]
    if kind != expected:
        raise ValidationError(
            f"证书类别“{CertificateKind(kind).label}”与培训类型“{training.get_training_type_display()}”不符 / "
            f"certificate kind {kind} does not match training type {training.training_type}",
            code="kind_mismatch",
        )
    if kind == CertificateKind.VOCATIONAL_SKILL_LEVEL:
        return {"occupation_id": training.occupation_id, "level": training.level}
    if kind == CertificateKind.SPECIAL_ABILITY:
        return {"item_id": training.item_id}
    if kind == CertificateKind.ENTREPRENEURSHIP:
        return {"course_kind_id": training.course_kind_id}
    # Read fresh: the confirmations may have come after the class was loaded.
    project = Project.objects.filter(pk=training.project_id).first()
    # 3.4d: 人社部门和申报单位共同确认培训效果后，颁发项目制培训合格证书
    if project is None or not project.effect_confirmed:
        raise ValidationError(
            "项目培训效果尚未经人社部门和申报单位共同确认，不能发证（第3.4条(四)） / "
            "the project's effect is not yet confirmed by both the city and the applicant (clause 3.4d)",
            code="effect_not_confirmed",
        )
    return {"project_id": project.pk}


def _next_number(kind: str, issued_on: date) -> str:
    """GX-<year>-<kind code>-<sequence>; the unique constraint on number stays the final guard."""
    prefix = f"GX-{issued_on.year}-{KIND_CODE[CertificateKind(kind)]}-"
    # Zero-padded sequences sort as numbers once the longer ones come first.
    last = (Certificate.objects.select_for_update().filter(number__startswith=prefix)
            .order_by(Length("number").desc(), "-number").values_list("number", flat=True).first())
    sequence = last.removeprefix(prefix) if last else "0"
    return f"{prefix}{int(sequence) + 1 if sequence.isdigit() else 1:06d}"


def issue_certificates(
    actor: User, evaluation: Evaluation, kinds: Sequence[str], *, issuer: str, issued_on: date,
    other_title: str = "", other_issuer: str = "",
) -> list[Certificate]:
    """Issue the class's certificate, and optionally another authority's beside it (4.2 一试双证, 4.6 一培双考双证)."""
    training = evaluation.enrolment.training_class
    _require_class_party(actor, training)
    if not evaluation.passed:
        raise ValidationError("评价未通过，不能发证 / the evaluation was not passed; no certificate", code="not_passed")
    if not kinds or len(set(kinds)) != len(kinds):
        raise ValidationError("须选择证书类别且不得重复 / choose certificate kinds, each once", code="kinds")
    own_kinds = [kind for kind in kinds if kind != CertificateKind.OTHER_AUTHORITY]
    has_own = evaluation.certificates.exclude(kind=CertificateKind.OTHER_AUTHORITY).exists()
    if len(own_kinds) > 1 or (not own_kinds and not has_own):
        raise ValidationError(
            "须发且仅发一张本班对应的证书，另一部门证书只能附带 / exactly one certificate of the class's kind; "
            "another authority's certificate only comes beside it",
            code="kinds",
        )
    if not issuer.strip():
        raise ValidationError({"issuer": "须填写发证机构 / the issuer is required"})
    if issued_on < evaluation.evaluated_on:
        raise ValidationError({"issued_on": "发证日期早于评价日期 / issued before the evaluation"})
    if CertificateKind.OTHER_AUTHORITY in kinds and not other_title.strip():
        raise ValidationError({"other_title": "其他部门证书须填写证书名称 / another authority's certificate needs its title"})
    issued: list[Certificate] = []
    with transaction.atomic():
        for kind in kinds:
            if evaluation.certificates.filter(kind=kind, status=CertificateStatus.VALID).exists():
                raise ValidationError(
                    f"该评价已发有效的“{CertificateKind(kind).label}” / this evaluation already has a valid {kind} certificate",
                    code="already_issued",
                )
            if kind == CertificateKind.OTHER_AUTHORITY:
                subject: dict[str, object] = {"title": other_title.strip()}
                if training.training_type == TrainingType.OCCUPATIONAL:
                    subject["occupation_id"] = training.occupation_id
                by = other_issuer.strip() or issuer.strip()
            else:
                subject, by = _subject(kind, training), issuer.strip()
            certificate = Certificate.objects.create(
                number=_next_number(kind, issued_on), kind=kind, person_id=evaluation.person_id, issuer=by,
                issued_on=issued_on, evaluation=evaluation, **subject,
            )
            record_event(actor, "certificate.issued", certificate, after=snapshot(
                certificate, ("number", "kind", "occupation_id", "level", "item_id", "course_kind_id", "project_id",
                              "title", "issuer", "issued_on", "evaluation_id")))
            issued.append(certificate)
    return issued


@dataclass(frozen=True)
class RevocationConsequence:
    """What a layer above must do when a certificate is revoked, inside the revocation's own transaction.

    Evaluation sits below funding and may not import it; funding registers here (its AppConfig) what a
    revocation means for money: the claims paid on the certificate become recovery cases (6d). `lock` runs
    before the certificate's audit entry, so rows it needs are locked ahead of the audit chain (ADR 0003's
    order: claim row → audit chain → fund rows); `apply` runs after it. Either refusing undoes the revocation.
    `summary`, once the revocation is done, says in the page's language what the consequence did (funding:
    how many recovery cases were opened), so the page that revoked can tell it without importing the layer."""

    name: str
    lock: Callable[[Certificate], object]
    apply: Callable[[User, Certificate], object]
    summary: Callable[[Certificate], str] | None = None


_revocation_consequences: dict[str, RevocationConsequence] = {}


def on_revocation(consequence: RevocationConsequence) -> None:
    """Register (or replace, by name) what a revocation also does; called once from an app's ready()."""
    _revocation_consequences[consequence.name] = consequence


def revocation_summaries(certificate: Certificate) -> list[str]:
    """What each registered consequence did on this certificate's revocation, one sentence each."""
    return [consequence.summary(certificate) for consequence in _revocation_consequences.values()
            if consequence.summary is not None]


def revoke_certificate(actor: User, certificate: Certificate, reason: str, revoked_on: date | None = None) -> Certificate:
    """Withdraw a certificate (e.g. fraud, 6d); it then verifies as revoked, and every registered consequence
    (funding: each claim paid on it becomes a recovery case) happens in the same transaction, so a crash
    between them can leave neither a revoked certificate with unrecovered paid claims nor the reverse."""
    if actor.role != Role.PROVINCE_OFFICIAL:
        training = certificate.evaluation.enrolment.training_class if certificate.evaluation else None
        if training is None or actor.role != Role.CITY_OFFICIAL or actor.city_id != training.city_id:
            raise PermissionDenied("只有人社部门可以撤销证书 / only the human-resources bureau may revoke a certificate")
    if not reason.strip():
        raise ValidationError({"reason": "撤销须说明理由 / a revocation needs a reason"})
    consequences = list(_revocation_consequences.values())
    with transaction.atomic():
        for consequence in consequences:
            consequence.lock(certificate)
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == CertificateStatus.REVOKED:
            raise ValidationError("证书已撤销 / the certificate is already revoked", code="already_revoked")
        fields = ("status", "revoked_on", "revoked_reason")
        before = snapshot(locked, fields)
        locked.status = CertificateStatus.REVOKED
        locked.revoked_on = max(revoked_on or today(), locked.issued_on)
        locked.revoked_reason = reason.strip()
        locked.save(update_fields=list(fields))
        record_event(actor, "certificate.revoked", locked, before=before, after=snapshot(locked, fields),
                     reason=reason.strip())
        for consequence in consequences:
            consequence.apply(actor, locked)
    return locked


# ---------------------------------------------------------------- a whole class at once


@dataclass(frozen=True)
class ResultEntry:
    """One trainee's line of the class result form or the results API: pass/fail and an optional score."""

    enrolment: Enrolment
    passed: bool
    score: Decimal | None = None


@dataclass(frozen=True)
class RowError:
    """Why one trainee's line was refused, named by enrolment so the page and the API can point at it."""

    enrolment_id: int
    field: str
    zh: str
    en: str

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"


class ResultRowsRefused(ValidationError):
    """Some lines of a class's results were refused; nothing of the batch was saved."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__([error.message for error in errors], code="bad_rows")
        self.row_errors = errors


def parse_score(text: str | None) -> Decimal | None:
    """A score typed on the form or sent by the API: empty means none; 0-100 with at most two decimals."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    try:
        score = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValidationError(f"成绩“{cleaned}”不是数字 / score “{cleaned}” is not a number", code="score") from exc
    if not score.is_finite() or not Decimal("0") <= score <= Decimal("100"):
        raise ValidationError(f"成绩{cleaned}须在0至100之间 / score {cleaned} must be between 0 and 100", code="score")
    if score != score.quantize(Decimal("0.01")):
        raise ValidationError(f"成绩{cleaned}最多两位小数 / score {cleaned} has more than two decimals", code="score")
    return score


def _messages(error: ValidationError) -> tuple[str, str]:
    """Our messages are written "中文 / English"; split them for the row report."""
    text = "；".join(error.messages)
    zh, _, en = text.partition(" / ")
    return zh, en or zh


def record_class_results(
    actor: User, training: TrainingClass, entries: Sequence[ResultEntry], *, evaluated_on: date, evaluator: str,
) -> list[Evaluation]:
    """Record the results of many trainees of one class through `record_result`, all or none (1b, 4.2).

    Every line is tried inside one transaction; if any is refused the whole batch is rolled back and
    `ResultRowsRefused` names each refused line, so a half-saved class never confuses the next step.
    """
    _require_class_party(actor, training)
    if not entries:
        raise ValidationError("没有要保存的考核结果 / no results to record", code="empty")
    errors: list[RowError] = []
    saved: list[Evaluation] = []
    with transaction.atomic():
        for entry in entries:
            if entry.enrolment.training_class_id != training.pk:
                errors.append(RowError(entry.enrolment.pk, "enrolment", "该学员不在本班", "not a trainee of this class"))
                continue
            try:
                saved.append(record_result(actor, entry.enrolment, passed=entry.passed, score=entry.score,
                                           evaluated_on=evaluated_on, evaluator=evaluator))
            except ValidationError as error:
                field = next(iter(error.error_dict), "passed") if hasattr(error, "error_dict") else "passed"
                errors.append(RowError(entry.enrolment.pk, field, *_messages(error)))
        if errors:
            raise ResultRowsRefused(errors)
    return saved


def class_certificate_kind(training: TrainingClass) -> str:
    """The certificate a class of this type yields (1b): skill level, special ability, entrepreneurship, project."""
    return KIND_FOR_TYPE[TrainingType(training.training_type)]


def latest_evaluations(training: TrainingClass) -> dict[int, Evaluation]:
    """The current evaluation of each enrolment of the class (a resit replaces the earlier one)."""
    found: dict[int, Evaluation] = {}
    for evaluation in (Evaluation.objects.filter(enrolment__training_class=training)
                       .select_related("enrolment__training_class").order_by("enrolment_id", "-evaluated_on")):
        found.setdefault(evaluation.enrolment_id, evaluation)
    return found


def issue_class_certificates(
    actor: User, training: TrainingClass, *, issuer: str, issued_on: date, other_title: str = "",
    other_issuer: str = "",
) -> list[Certificate]:
    """Issue the class's certificate to every passed trainee who has none yet, through `issue_certificates`.

    With `other_title`, another authority's certificate is issued beside it (4.2 一试双证, 4.6 一培双考双证).
    A project class waits for the joint confirmation of effect (3.4d); the refusal says so. A trainee
    whose certificate was revoked is not re-issued one by the batch.
    """
    _require_class_party(actor, training)
    own_kind = class_certificate_kind(training)
    passed = [evaluation for evaluation in latest_evaluations(training).values() if evaluation.passed]
    if not passed:
        raise ValidationError("本班尚无考核合格的学员，不能发证 / no trainee of this class has passed yet",
                              code="none_passed")
    issued: list[Certificate] = []
    with transaction.atomic():
        for evaluation in passed:
            held = set(evaluation.certificates.values_list("kind", flat=True))
            kinds = [] if own_kind in held else [own_kind]
            if other_title.strip() and CertificateKind.OTHER_AUTHORITY not in held:
                kinds.append(CertificateKind.OTHER_AUTHORITY)
            if not kinds:
                continue
            issued += issue_certificates(actor, evaluation, kinds, issuer=issuer, issued_on=issued_on,
                                         other_title=other_title, other_issuer=other_issuer)
    if not issued:
        raise ValidationError("合格学员均已发证，无需重复发放 / every passed trainee already has the certificate",
                              code="already_issued")
    return issued
