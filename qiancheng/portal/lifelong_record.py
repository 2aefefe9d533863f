"""The lifelong record (终身职业技能档案, 1e): one person's trainings, certificates, subsidies, employment proofs and
what they are still entitled to, for the trainee (/me/record/) and an official entitled to see it
(/people/<key>/record/), as a page, a PDF and the API (docs/lifelong-record.md).

Every row is read through `scoped`, so a city official sees the rows of their own city; the remaining entitlement
is the engine's (`training.services.entitlement`), over the person's whole history, as the enrolment check is.
Who may open the record of someone else: the province, and an official of a city the person trained in. An
institution may not (its trainees' classes are on its rosters; their whole record is not its business), nor may
an enterprise. An official's view is audited (`person.record_viewed`): it reads personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, Sum

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.catalog.models import Occupation, SpecialAbilityItem
from qiancheng.clock import today
from qiancheng.evaluation.models import Certificate, Evaluation
from qiancheng.funding.models import Payment, PaymentStatus, SubsidyClaim
from qiancheng.people.models import Person
from qiancheng.training.models import AttendanceRecord, EmploymentFollowUp, Enrolment
from qiancheng.training.services.entitlement import Entitlement, remaining_entitlement

if TYPE_CHECKING:
    from django.http import HttpRequest

    from qiancheng.accounts.models import User

OFFICIALS = (Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL)


@dataclass(frozen=True)
class TrainingRow:
    enrolment: Enrolment
    attendance_rate: Decimal | None  # percent, None when no attendance was recorded
    evaluation: Evaluation | None


@dataclass(frozen=True)
class ClaimRow:
    claim: SubsidyClaim
    paid_on: date | None  # the last payment that stands


@dataclass(frozen=True)
class UsedLevel:
    code: str
    name: str
    level: int | None  # None for a special-ability item


@dataclass(frozen=True)
class LifelongRecord:
    person: Person
    generated_on: date
    trainings: list[TrainingRow]
    certificates: list[Certificate]
    claims: list[ClaimRow]
    entitlement: Entitlement
    used: list[UsedLevel]  # 3.5c
    closed: list[UsedLevel]  # 3.5d
    follow_ups: tuple[EmploymentFollowUp, ...] = ()  # 1e: status 3, 6 and 12 months after each class

    @property
    def proofs(self) -> list[SubsidyClaim]:
        """5.2c: the employment proofs, carried by the claims they were added to."""
        return [row.claim for row in self.claims if row.claim.employment_proof_kind]


def trainings_of(user: User, person: Person) -> list[TrainingRow]:
    """Each class with its dates, institution, attendance rate and result (the /me/classes/ rows)."""
    enrolments = (scoped(Enrolment, user).filter(person=person)
                  .select_related("training_class__institution", "training_class__occupation",
                                  "training_class__item", "training_class__course_kind", "training_class__project")
                  .annotate(attended=Sum("attendance__hours", filter=Q(attendance__present=True)))
                  .order_by("-training_class__start_date"))
    evaluations: dict[int, Evaluation] = {}
    for evaluation in scoped(Evaluation, user).filter(person=person).order_by("enrolment_id", "-evaluated_on"):
        evaluations.setdefault(evaluation.enrolment_id, evaluation)
    # Whether any attendance was recorded at all: no record is "not recorded", not 0%.
    recorded = set(scoped(AttendanceRecord, user).filter(person=person)
                   .values_list("enrolment_id", flat=True).distinct())
    rows = []
    for enrolment in enrolments:
        hours = enrolment.training_class.class_hours
        rate = None
        if enrolment.pk in recorded and hours:
            rate = (min(Decimal(enrolment.attended or 0) / Decimal(hours), Decimal(1)) * 100).quantize(Decimal("1"))
        rows.append(TrainingRow(enrolment, rate, evaluations.get(enrolment.pk)))
    return rows


def _claims(user: User, person: Person) -> QuerySet[SubsidyClaim]:
    payments = scoped(Payment, user).filter(status=PaymentStatus.PAID).order_by("-paid_at")
    return (scoped(SubsidyClaim, user).filter(person=person)
            .select_related("enrolment__training_class", "institution", "occupation", "item", "course_kind")
            .prefetch_related(Prefetch("payments", queryset=payments, to_attr="paid"))
            .order_by("-end_date", "number"))


def _named(pairs: tuple[tuple[str, int], ...], items: tuple[str, ...]) -> list[UsedLevel]:
    names = dict(Occupation.objects.filter(code__in={code for code, _ in pairs}).values_list("code", "name"))
    item_names = dict(SpecialAbilityItem.objects.filter(code__in=items).values_list("code", "name"))
    return ([UsedLevel(code, names.get(code, code), level) for code, level in pairs]
            + [UsedLevel(code, item_names.get(code, code), None) for code in items])


def lifelong_record(user: User, person: Person) -> LifelongRecord:
    """The record as `user` may see it (rows through `scoped`), with the engine's remaining entitlement."""
    entitlement = remaining_entitlement(person.person_key, person.county_code)
    claims = [ClaimRow(claim, claim.paid[0].paid_at.date() if claim.paid else None) for claim in _claims(user, person)]
    certificates = list(scoped(Certificate, user).filter(person=person)
                        .select_related("occupation", "item", "course_kind", "project").order_by("-issued_on", "number"))
    follow_ups = tuple(scoped(EmploymentFollowUp, user).filter(person=person).select_related("enrolment__training_class")
                       .order_by("-enrolment__training_class__end_date", "enrolment_id", "months"))
    return LifelongRecord(person, today(), trainings_of(user, person), certificates, claims, entitlement,
                          _named(entitlement.used_levels, entitlement.used_items), _named(entitlement.closed_levels, ()),
                          follow_ups)


def own_record(user: User) -> LifelongRecord:
    """The signed-in trainee's own record (the caller has checked the role)."""
    return lifelong_record(user, get_scoped_or_404(Person, user, pk=user.person_id))


def record_for_official(actor: User, person_key: str, *, request: HttpRequest | None = None,
                        form: str = "page") -> LifelongRecord:
    """Another person's record for the province or an official of a city the person trained in; anyone else,
    and a person outside the scope, gets the same 404. The view is in the audit trail (`person.record_viewed`)."""
    persons = Person.objects.all()
    if actor.role == Role.CITY_OFFICIAL:
        persons = persons.filter(pk__in=Enrolment.objects.filter(training_class__city_id=actor.city_id)
                                 .values("person_id"))
    elif actor.role != Role.PROVINCE_OFFICIAL:
        persons = persons.none()
    person = get_scoped_or_404(persons, actor, pk=person_key)
    with transaction.atomic():
        record_event(actor, "person.record_viewed", person, after={"form": form}, request=request)
    return lifelong_record(actor, person)


def record_json(record: LifelongRecord) -> dict[str, Any]:
    """The record as the API answers it (ID number masked, dates ISO, money as text)."""
    entitlement = record.entitlement
    return {
        "person_key": record.person.person_key, "name": record.person.name,
        "id_number_masked": record.person.id_number_masked, "generated_on": record.generated_on,
        "trainings": [{
            "class_id": row.enrolment.training_class_id, "class_name": row.enrolment.training_class.name,
            "training_type": row.enrolment.training_class.training_type,
            "occupation_code": row.enrolment.training_class.occupation_id,
            "level": row.enrolment.training_class.level, "item_code": row.enrolment.training_class.item_id,
            "start_date": row.enrolment.training_class.start_date, "end_date": row.enrolment.training_class.end_date,
            "institution": row.enrolment.training_class.institution.name,
            "attendance_rate": row.attendance_rate, "enrolment_status": row.enrolment.status,
            "passed": row.evaluation.passed if row.evaluation else None,
        } for row in record.trainings],
        "certificates": [{
            "number": c.number, "kind": c.kind, "occupation_code": c.occupation_id, "level": c.level,
            "item_code": c.item_id, "issuer": c.issuer, "issued_on": c.issued_on, "status": c.status,
        } for c in record.certificates],
        "claims": [{
            "number": row.claim.number, "training_type": row.claim.training_type, "fund": row.claim.fund,
            "status": row.claim.status, "total_amount": row.claim.total_amount, "paid_on": row.paid_on,
            "employment_proof_kind": row.claim.employment_proof_kind or None,
            "employment_proof_date": row.claim.employment_proof_date,
        } for row in record.claims],
        "entitlement": {
            "on": entitlement.on, "counted": entitlement.counted, "left_this_year": entitlement.left_this_year,
            "left_in_programme": entitlement.left_in_programme,
            "used": [{"code": u.code, "level": u.level} for u in record.used],
            "closed_by_certificate": [{"code": u.code, "level": u.level} for u in record.closed],
        },
        "follow_ups": [{
            "class_id": f.enrolment.training_class_id, "months": f.months, "status": f.status,
            "employer": f.employer, "observed_on": f.observed_on,
        } for f in record.follow_ups],
    }
