"""Real-name enrolment (实名制, 6c): the checks every enrolment passes, one by one or by roster.

Before a trainee is enrolled, the decision engine decides the claim this training would become,
against everything the database knows of the person (claims, certificates, skill-upgrade subsidies,
the blacklist, and other classes the person is enrolled in that have no claim yet), so that "2025
already used (3.5a)" shows before the training rather than after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from qiancheng.accounts.audit import record_event, record_events
from qiancheng.accounts.models import AuditEntry, Role
from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType, chinese_part
from qiancheng.clock import today
from qiancheng.people import crypto, links
from qiancheng.people.identity import check_id_number, normalise_id_number
from qiancheng.people.masking import mask_id_number
from qiancheng.people.models import Person
from qiancheng.people.services import PersonRow, register_persons
from qiancheng.policy.batch import claims_from_records, history_from_records
from qiancheng.policy.engine import decide
from qiancheng.policy.params import ParameterError, load_packaged, plan_figures
from qiancheng.policy.rules import ALL_RULES
from qiancheng.policy.vocabulary import COUNTING_STATUSES
from qiancheng.projects.models import TraineeLink
from qiancheng.providers.services import Refusal
from qiancheng.training.models import ClassStatus, Enrolment, EnrolmentStatus, TrainingClass
from qiancheng.training.services.evidence import EnrolmentEvidence, checked
from qiancheng.training.services.history import WHOLE_TABLES_FROM, stored_history
from qiancheng.web.tabular import write_frame

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

# Classes that still take trainees.
OPEN_STATES = (ClassStatus.SUBMITTED, ClassStatus.APPROVED, ClassStatus.IN_PROGRESS)
# Classes whose dates a trainee's other enrolment may not overlap, and which count as a pending claim.
HOLDING_STATES = (ClassStatus.SUBMITTED, ClassStatus.APPROVED, ClassStatus.IN_PROGRESS, ClassStatus.FINISHED)
CHUNK = 2_000  # keys per IN (...) list: far below SQLite's variable limit

# 3.4e: which links each project accepts
_LINKS_ACCEPTED = {
    TraineeLink.EMPLOYEES: {ApplicantRelation.EMPLOYEE},
    TraineeLink.PROSPECTIVE_HIRES: {ApplicantRelation.PROSPECTIVE_HIRE},
    TraineeLink.BOTH: {ApplicantRelation.EMPLOYEE, ApplicantRelation.PROSPECTIVE_HIRE},
}


@dataclass(frozen=True)
class Candidate:
    """A would-be trainee, held in memory only: the clear ID number never leaves this process."""

    person_key: str
    id_number: str
    category: str
    relation: str
    has_business_licence: bool = False
    receiving_unemployment_benefit: bool = False


def chunks(values: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def require_class_staff(actor: User, training: TrainingClass) -> None:
    """The class's institution or an official of its city may work on its roster."""
    institution_side = actor.role == Role.INSTITUTION and actor.institution_id == training.institution_id
    city_side = actor.role == Role.CITY_OFFICIAL and actor.city_id == training.city_id
    if not (institution_side or city_side):
        raise PermissionDenied("无权操作该班名册 / not allowed to change this class's roster")


def require_open(training: TrainingClass, on: date | None = None) -> None:
    """The class takes trainees: it is open, and `on` (default today) is not after its last day.

    A trainee enrolled after the last day could never have attended, and 结业 (`finish_class`) dates every
    completion on the last day, which may not precede the enrolment; so the roster closes on that day, on
    every path (page, roster import, API). 6c: 凡补必进 — the roster is the record a claim is built on.
    """
    if training.status not in OPEN_STATES:
        raise ValidationError(
            f"班级状态为“{training.get_status_display()}”，不能报名 / the class does not take trainees in this state",
            code="class_closed")
    on = on or today()
    if on > training.end_date:
        raise ValidationError(
            f"本班最后一天为{training.end_date}，{on}已不能报名（6c 凡补必进）/ the class's last day was "
            f"{training.end_date}; no trainee can be enrolled on {on} (clause 6c)",
            code="after_last_day")


def link_refusal(training: TrainingClass, relation: str) -> Refusal | None:
    """3.4e: a project class takes only the applicant's employees or prospective hires, as the project says."""
    if training.training_type != TrainingType.PROJECT:
        return None
    accepted = _LINKS_ACCEPTED[training.project.trainee_link]
    if relation in accepted:
        return None
    wanted = "、".join(chinese_part(ApplicantRelation(value).label) for value in sorted(accepted))
    return Refusal("3.4e", f"项目制培训学员须为申报企业的{wanted}（第3.4条(五)）",
                   f"project trainees must be the applicant's {' or '.join(sorted(accepted))} (clause 3.4e)")


def overlapping_enrolments(training: TrainingClass, person_keys: list[str]) -> dict[str, TrainingClass]:
    """Persons already enrolled in another class whose dates overlap this one's, with that class."""
    found: dict[str, TrainingClass] = {}
    for keys in chunks(person_keys):
        clashes = (Enrolment.objects.filter(person_id__in=keys, status=EnrolmentStatus.ENROLLED,
                                            training_class__status__in=HOLDING_STATES,
                                            training_class__start_date__lte=training.end_date,
                                            training_class__end_date__gte=training.start_date)
                   .exclude(training_class=training).select_related("training_class"))
        for enrolment in clashes:
            found.setdefault(enrolment.person_id, enrolment.training_class)
    return found


def overlap_refusal(clash: TrainingClass) -> Refusal:
    return Refusal("overlap", f"已报名时间重叠的班级“{clash.name}”（{clash.start_date}至{clash.end_date}）",
                   f"already enrolled in class {clash.pk}, {clash.start_date} to {clash.end_date}, which overlaps")


def registered_names(person_keys: list[str]) -> dict[str, tuple[str, bool]]:
    """Name and business-licence flag of the persons already registered."""
    found: dict[str, tuple[str, bool]] = {}
    for keys in chunks(person_keys):
        rows = Person.objects.filter(person_key__in=keys).values_list("person_key", "name", "has_business_licence")
        found.update({key: (name, licence) for key, name, licence in rows})
    return found


# ---------------------------------------------------------------- the engine's prediction

def _would_be_claim(training: TrainingClass, number: int, candidate: Candidate) -> dict[str, Any]:
    """The claim this enrolment would become if the trainee passed, paid as the plan's usual route."""
    uscc = training.institution.uscc
    is_project = training.training_type == TrainingType.PROJECT
    return {
        "claim_id": f"roster-{number:07d}", "id_number": candidate.id_number, "training_type": training.training_type,
        # 5.1, 5.2a: the fund the plan names for the type (plan_figures training_type_funds)
        "fund": plan_figures().route_fund(training.training_type, training.end_date),
        "city_code": training.city_id, "occupation_code": training.occupation_id, "level": training.level,
        "item_code": training.item_id, "course_kind": training.course_kind_id,
        "project_id": training.project.code if is_project else None,
        "applicant_relation": candidate.relation if is_project else None,
        "class_hours": training.class_hours, "start_date": training.start_date.isoformat(),
        "end_date": training.end_date.isoformat(), "passed": True, "person_category": candidate.category,
        "receiving_unemployment_benefit": candidate.receiving_unemployment_benefit,
        "has_business_licence": candidate.has_business_licence,
        "institution_id": uscc, "advanced_by": "institution", "advanced_by_id": uscc,
        "claimant": "institution", "claimant_id": uscc,
    }


def unclaimed_enrolments(training: TrainingClass | None, person_keys: set[str] | None) -> list[dict[str, Any]]:
    """Other classes the persons are in (all of them when `training` is None), not yet claimed: each counts as a
    pending claim (RULES "What counts"). Those of a person confirmed to be one of them (people.links) come under
    the key asked about, as the stored history does."""
    subject = links.decided_as(person_keys)
    person_keys = links.with_linked(person_keys)
    enrolments = (Enrolment.objects.filter(claims__isnull=True, training_class__status__in=HOLDING_STATES)
                  .exclude(status=EnrolmentStatus.WITHDRAWN))
    if training is not None:
        enrolments = enrolments.exclude(training_class=training)
    if person_keys is not None:
        enrolments = enrolments.filter(person_id__in=person_keys)
    rows = enrolments.values_list("pk", "person_id", "training_class__training_type", "training_class__occupation_id",
                                  "training_class__level", "training_class__item_id", "training_class__course_kind_id",
                                  "training_class__project__code", "training_class__end_date")
    plan = plan_figures()
    return links.as_one_person([
        {"record_type": "claim", "record_id": f"enrolment:{pk}", "id_number": key, "training_type": kind,
         "fund": plan.route_fund(kind, end),
         "occupation_code": occupation, "level": level, "item_code": item, "course_kind": course,
         "project_id": project, "end_date": end.isoformat(), "status": "pending"}
        for pk, key, kind, occupation, level, item, course, project, end in rows], subject)


def _history(training: TrainingClass, clear: dict[str, str]) -> list[dict[str, Any]]:
    keys: set[str] | None = set(clear) if len(clear) <= WHOLE_TABLES_FROM else None
    history = stored_history(keys, {training.institution.uscc})
    history += unclaimed_enrolments(training, keys)
    # Read for everyone, a confirmed person's rows come under the cluster's canonical key: move them to the
    # candidate's (people.links).
    history = links.as_one_person(history, links.decided_as(set(clear))) if keys is None else history
    opened = []
    for record in history:
        key = record.get("id_number")
        if key is None or key in clear:  # an institution's blacklist entry names no person
            opened.append({**record, "id_number": clear.get(key) if key else None})
    return opened


def predicted_refusals(training: TrainingClass, candidates: list[Candidate]) -> dict[str, list[Refusal]]:
    """For each candidate the engine would deny, the rules and their reasons (keyed by person_key)."""
    if not candidates:
        return {}
    clear = {candidate.person_key: candidate.id_number for candidate in candidates}
    claims = [_would_be_claim(training, number, candidate) for number, candidate in enumerate(candidates)]
    # Two candidates confirmed to be one person are that person's claims (people.links), under one number.
    subject = links.decided_as(set(clear))
    claims = [{**claim, "id_number": clear[subject.get(candidate.person_key, candidate.person_key)]}
              for claim, candidate in zip(claims, candidates, strict=True)]
    params = load_packaged()
    # Decided as on the class's last day, when the claim would be filed (never before today).
    as_of = max(training.end_date, today())
    try:
        run = decide(claims_from_records(claims), history_from_records(_history(training, clear)), params, as_of)
    except ParameterError as missing:
        raise ValidationError(f"补贴标准未覆盖本班，无法预判补贴资格，请联系自治区人社厅 / no subsidy standard covers "
                              f"this class, so eligibility cannot be predicted ({missing})", code="no_standard") from missing
    denied = run.decisions.filter(~run.decisions["eligible"]).select("claim_id", "denied_by").rows()
    by_claim = {claim["claim_id"]: candidate.person_key for claim, candidate in zip(claims, candidates, strict=True)}
    return {by_claim[claim_id]: [_rule_refusal(rule_id) for rule_id in rules.split(";")] for claim_id, rules in denied}


def _rule_refusal(rule_id: str) -> Refusal:
    rule = ALL_RULES[rule_id]
    return Refusal(rule_id, f"按政策预判不能享受补贴：{rule.message_zh}",
                   f"predicted ineligible for the subsidy: {rule.message_en}")


# ---------------------------------------------------------------- before enrolling one trainee


@dataclass(frozen=True)
class EnrolmentPreview:
    """What the engine predicts for one would-be trainee, shown before the enrolment is made."""

    name: str
    id_number_masked: str
    ordinal: int  # this enrolment would be the person's ordinal-th subsidised training
    years_used: tuple[int, ...]  # years in which the person already had (or has pending) a subsidised training
    refusals: tuple[Refusal, ...]

    @property
    def eligible(self) -> bool:
        return not self.refusals

    @property
    def summary_zh(self) -> str:
        """E.g. "这将是张三的第2次补贴性培训；2025年度已享受"."""
        text = f"这将是{self.name}的第{self.ordinal}次补贴性培训"
        if self.years_used:
            text += "；" + "、".join(str(year) for year in self.years_used) + "年度已享受"
        return text

    @property
    def summary_en(self) -> str:
        text = f"this would be {self.name}'s training number {self.ordinal} with a subsidy"
        if self.years_used:
            text += "; already used in " + ", ".join(str(year) for year in self.years_used)
        return text


def preview_enrolment(actor: User, training: TrainingClass, *, id_number: str, name: str, category: str,
                      relation: str = ApplicantRelation.NONE,
                      evidence: EnrolmentEvidence | None = None) -> EnrolmentPreview:
    """The prediction `enrol_person` would act on, without enrolling or registering anyone (6c, 3.5).

    The refusals are exactly the ones `enrol_person` raises (3.4e link, an overlapping class, the
    engine's predicted denials); the count of earlier subsidised trainings is read from the same history
    the engine decides on, so the page says "2nd training; 2025 already used" before weeks of training.
    """
    require_class_staff(actor, training)
    require_open(training)
    evidence = checked(evidence or EnrolmentEvidence(), is_project=training.training_type == TrainingType.PROJECT)
    check = check_id_number(id_number)
    if not check.is_valid:
        raise ValidationError([f"{reason.zh} / {reason.en}" for reason in check.errors], code="id_number")
    name = " ".join(name.split())
    if not name:
        raise ValidationError("请填写姓名 / the name is required", code="name")
    key = crypto.person_key(check.normalised)
    _record_check(actor, training, key)
    registered = registered_names([key]).get(key)
    if registered is not None and registered[0] != name:
        # No enumeration: for a number and a wrong name the institution learns that they do not match,
        # never the person's trainings, years or eligibility.
        raise ValidationError("姓名与身份证号不符，请核实 / this name does not match this ID number",
                              code="name_mismatch")
    refusals = [r for r in (link_refusal(training, relation),) if r]
    clash = overlapping_enrolments(training, [key]).get(key)
    refusals += [overlap_refusal(clash)] if clash else []
    candidate = Candidate(key, check.normalised, category, relation,
                          evidence.has_business_licence or (registered[1] if registered else False),
                          evidence.receiving_unemployment_benefit)
    refusals += predicted_refusals(training, [candidate]).get(key, [])
    earlier = [record for record in _history(training, {key: check.normalised})
               if record.get("record_type") == "claim" and record.get("status") in COUNTING_STATUSES
               and record.get("id_number") == check.normalised]
    years = sorted({int(str(record["end_date"])[:4]) for record in earlier if record.get("end_date")})
    return EnrolmentPreview(name, mask_id_number(check.normalised), len(earlier) + 1, tuple(years), tuple(refusals))


def _record_check(actor: User, training: TrainingClass, key: str) -> None:
    """Every check is in the audit trail (who asked about which person, masked by key), and an institution
    may make at most `ENROLMENT_CHECKS_PER_HOUR` of them in an hour, so the check cannot be used to sweep
    the register."""
    since = timezone.now() - timedelta(hours=1)
    with transaction.atomic():
        made = AuditEntry.objects.filter(action="enrolment.checked", target_model="providers.institution",
                                         target_pk=str(training.institution_id), at__gte=since).count()
        if made >= settings.ENROLMENT_CHECKS_PER_HOUR:
            raise ValidationError(
                f"本机构一小时内已预判{made}次，已达上限，请稍后再试 / this institution has made {made} checks in "
                "the last hour, the limit; try again later", code="checks_throttled")
        record_event(actor, "enrolment.checked", training.institution,
                     after={"class": training.pk, "person_key": key})


# ---------------------------------------------------------------- the one writer of enrolments

@dataclass(frozen=True)
class Trainee:
    """One person to enrol, already registered (`register_persons`): the key the person is stored under."""

    person_key: str
    id_number_masked: str
    category: str
    relation: str = ApplicantRelation.NONE
    evidence: EnrolmentEvidence = EnrolmentEvidence()


def enrol(actor: User, training: TrainingClass, trainees: list[Trainee], *,
          enrolled_on: date | None = None) -> dict[str, Enrolment]:
    """The one way a trainee is put on a class's roster: the page, the API and the roster import call it
    (the import through `enrol_many`, which is this without reading the enrolments back).

    It refuses what no path may write, the same way on every path: a class that does not take trainees
    (`require_open`), a project trainee without the applicant link (3.4e), a person already in an
    overlapping class. Persons already on this roster are left as they are (idempotent). The rows go in one
    bulk write (`enrol_frame`), each with its own "enrolment.created" audit entry. Returns every trainee's
    enrolment by person key. The callers run the engine's prediction first (`predicted_refusals`)."""
    enrol_many(actor, training, trainees, enrolled_on=enrolled_on)
    keys = [t.person_key for t in trainees]
    found: dict[str, Enrolment] = {}
    for part in chunks(keys):
        found.update({e.person_id: e for e in Enrolment.objects.filter(training_class=training, person_id__in=part)})
    return found


def enrol_many(actor: User, training: TrainingClass, trainees: list[Trainee], *,
               enrolled_on: date | None = None) -> int:
    """`enrol`'s writing half, for a roster of thousands: the same refusals, the same rows and audit entries,
    and the number of trainees newly enrolled instead of every enrolment read back as a model instance (at
    100,000 rows that read cost more than the write; bench/README.md, 2026-12-07)."""
    require_class_staff(actor, training)
    require_open(training, enrolled_on)
    is_project = training.training_type == TrainingType.PROJECT
    refusals = [refusal.error() for trainee in trainees
                for refusal in (link_refusal(training, trainee.relation),) if refusal]
    clashes = overlapping_enrolments(training, [trainee.person_key for trainee in trainees])
    refusals += [overlap_refusal(clash).error() for clash in clashes.values()]
    if refusals:
        raise ValidationError(refusals)
    on_roster = set(Enrolment.objects.filter(training_class=training).values_list("person_id", flat=True))
    new = list({t.person_key: t for t in trainees if t.person_key not in on_roster}.values())
    fields = [t.evidence.enrolment_fields() for t in new]
    frame = pl.DataFrame({
        "training_class_id": [training.pk] * len(new),
        "person_key": [t.person_key for t in new],
        "id_number_masked": [t.id_number_masked for t in new],
        "category": [t.category for t in new],
        "applicant_relation": [t.relation if is_project else ApplicantRelation.NONE for t in new],
        "enrolled_on": [enrolled_on or today()] * len(new),
        **{name: [row[name] for row in fields] for name in EVIDENCE_SCHEMA},
    }, schema={"training_class_id": pl.Int64, "person_key": pl.String, "id_number_masked": pl.String,
               "category": pl.String, "applicant_relation": pl.String, "enrolled_on": pl.Date, **EVIDENCE_SCHEMA})
    return enrol_frame(actor, frame)


EVIDENCE_SCHEMA: dict[str, Any] = {
    name: pl.Boolean if name == "receiving_unemployment_benefit" else (
        pl.Date if name.endswith(("_date", "_issued_on")) else pl.String)
    for name in EnrolmentEvidence().enrolment_fields()
}


def enrol_frame(actor: User | None, frame: pl.DataFrame) -> int:
    """The bulk insert behind `enrol`, also used as is by the demo province (synth), whose classes are
    checked when it is generated: rows straight into the table (COPY / executemany) and one
    "enrolment.created" audit entry per row, in the caller's transaction. `frame` has the Enrolment columns
    (an `id` column or not) and `id_number_masked`, which the audit entry records instead of the number."""
    if frame.height == 0:
        return 0
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enrol_frame 须在事务中执行 / enrol_frame must run inside the caller's transaction")
    written = write_frame(Enrolment, frame.drop("id_number_masked"))
    if "id" in frame.columns:
        ids = dict(zip(zip(frame["training_class_id"], frame["person_key"], strict=True), frame["id"], strict=True))
    else:
        ids = {}
        for class_id in frame["training_class_id"].unique().to_list():
            keys = frame.filter(pl.col("training_class_id") == class_id)["person_key"].to_list()
            for part in chunks(keys):
                ids.update({(class_id, key): pk for pk, key in Enrolment.objects.filter(
                    training_class_id=class_id, person_id__in=part).values_list("pk", "person_id")})
    facts = [name for name in frame.columns if name not in ("id", "training_class_id", "person_key",
                                                               "id_number_masked", "enrolled_on")]
    record_events(actor, "enrolment.created", Enrolment, (
        (ids[(row["training_class_id"], row["person_key"])],
         {"class": row["training_class_id"], "person": row["id_number_masked"], **{name: row[name] for name in facts}})
        for row in frame.iter_rows(named=True)))
    return written


# ---------------------------------------------------------------- one by one

def enrol_person(actor: User, training: TrainingClass, *, id_number: str, name: str, category: str,
                 phone: str | None = None, relation: str = ApplicantRelation.NONE,
                 enrolled_on: date | None = None, evidence: EnrolmentEvidence | None = None) -> Enrolment:
    """Enrol one trainee by name and ID number, refused with every reason the roster import would give.

    `evidence` is what the rules read beside the category and relation (2.1a, 5.3, 3.3, 3.4e), each fact
    with its document; it is checked like a roster row's and kept on the enrolment. The person is registered
    by `register_persons` and enrolled by `enrol`, as a roster's rows are."""
    require_class_staff(actor, training)
    require_open(training, enrolled_on)
    evidence = checked(evidence or EnrolmentEvidence(), is_project=training.training_type == TrainingType.PROJECT)
    with transaction.atomic():
        registration = register_persons(actor, [PersonRow(id_number, name, phone, category=category)])
        key = registration.stored_key(normalise_id_number(id_number))
        person = Person.objects.get(person_key=key)
        candidate = Candidate(key, normalise_id_number(id_number), category, relation,
                              evidence.has_business_licence or person.has_business_licence,
                              evidence.receiving_unemployment_benefit)
        refusals = [r for r in (link_refusal(training, relation),) if r]
        clash = overlapping_enrolments(training, [key]).get(key)
        refusals += [overlap_refusal(clash)] if clash else []
        refusals += predicted_refusals(training, [candidate]).get(key, [])
        if refusals:
            raise ValidationError([refusal.error() for refusal in refusals])
        enrolled = enrol(actor, training, [Trainee(key, person.id_number_masked, category, relation, evidence)],
                         enrolled_on=enrolled_on)
    return enrolled[key]


def roster_of(training: TrainingClass) -> QuerySet[Enrolment]:
    return training.enrolments.select_related("person").order_by("enrolled_on", "pk")
