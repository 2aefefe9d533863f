"""Roster imports as jobs (STYLE 8, 6c): received → validated → applied, or rejected.

`receive_roster` stores a job for an uploaded file and checks every row at once; bad rows keep their
row number, column and reason in Chinese and English, good rows wait on the job with their personal
data sealed. Nothing is enrolled until the class's institution (having seen the bad rows) or an official
of the class's city calls `apply_roster`, which
enrols the good rows in one transaction: a crash (kill -9) leaves nothing applied and the job still
"validated", so running it again completes it; running it after success changes nothing. Persons are
got-or-created by person_key and enrolments are unique per (class, person), so uploading the same file
twice adds nobody twice.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from qiancheng.accounts.audit import record_event
from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.clock import today
from qiancheng.people import crypto
from qiancheng.people.identity import check_id_number
from qiancheng.people.masking import mask_id_number, mask_phone
from qiancheng.people.services import ID_NUMBER, PHONE, PersonRow, register_persons
from qiancheng.providers.services import Refusal
from qiancheng.training.models import ImportJob, ImportStatus, TrainingClass
from qiancheng.training.services import roster_file
from qiancheng.training.services.enrolment import (
    Candidate,
    Trainee,
    enrol_many,
    link_refusal,
    overlap_refusal,
    overlapping_enrolments,
    predicted_refusals,
    registered_names,
    require_class_staff,
    require_open,
)
from qiancheng.training.services.evidence import (
    EnrolmentEvidence,
    cleaned,
    evidence_problems,
    parse_day,
    parse_yes_no,
)
from qiancheng.training.services.roster_file import (
    CATEGORY,
    CATEGORY_WORDS,
    EVIDENCE_HEADERS,
    HEADERS_EN,
    NAME,
    RELATION,
    RELATION_WORDS,
    RosterRow,
    read_roster,
)
from qiancheng.web.imports_done import Imported, ImportKind, imported
from qiancheng.web.tabular import check_upload
from qiancheng.web.task_queue import task_state

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

ID_COLUMN, PHONE_COLUMN = roster_file.ID_NUMBER, roster_file.PHONE
# The evidence columns of an enrolment and their empty values.
EVIDENCE_DEFAULTS: dict[str, object] = EnrolmentEvidence().enrolment_fields()


@dataclass(frozen=True)
class RowProblem:
    """One reason a row cannot be enrolled; `row` is the spreadsheet's row number (header = 1)."""

    row: int
    column: str
    code: str
    zh: str
    en: str


@dataclass
class _Checked:
    """A row that passed the field checks; the clear number lives only as long as the validation call."""

    source: RosterRow
    id_number: str
    person_key: str
    name: str
    category: str
    relation: str
    phone: str
    birth_date: date
    sex: str
    evidence: EnrolmentEvidence


def _problem(row: int, column: str, refusal: Refusal) -> RowProblem:
    return RowProblem(row, f"{column} {HEADERS_EN.get(column, column)}", refusal.code, refusal.zh, refusal.en)


# ---------------------------------------------------------------- field checks

def _field_problems(training: TrainingClass, row: RosterRow, as_of: date) -> tuple[_Checked | None, list[RowProblem]]:
    problems = []
    name = " ".join((row.name or "").split())
    if not name or len(name) > 64:
        problems.append(_problem(row.row, NAME, Refusal("name", "姓名为空或超过64字", "name is empty or longer than 64")))
    check = check_id_number(row.id_number or "", as_of=as_of)
    if not check.is_valid:
        for reason in check.errors:
            problems.append(_problem(row.row, ID_COLUMN, Refusal(f"id_{reason.code}", reason.zh, reason.en)))
    phone = "".join((row.phone or "").split())
    if phone and not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        problems.append(_problem(row.row, PHONE_COLUMN, Refusal(
            "phone", "手机号应为1开头的11位数字", "a mobile number has 11 digits starting with 1")))
    category = CATEGORY_WORDS.get((row.category or "").strip())
    if category is None:
        problems.append(_problem(row.row, CATEGORY, Refusal(
            "category", f"人员类别“{row.category or ''}”无效（见模板可选值）", "unknown person category (see the template)")))
    relation = RELATION_WORDS.get((row.relation or "").strip(), ApplicantRelation.NONE)
    refusal = link_refusal(training, relation)
    if refusal is not None:
        problems.append(_problem(row.row, RELATION, refusal))
    evidence, found = _evidence(training, row)
    problems += found
    if problems or evidence is None:
        return None, problems
    assert check.birth_date is not None and check.sex is not None and category is not None
    if training.training_type != TrainingType.PROJECT:
        relation = ApplicantRelation.NONE
    return _Checked(row, check.normalised, crypto.person_key(check.normalised), name, category, relation, phone,
                    check.birth_date, check.sex, evidence), []


def _evidence(training: TrainingClass, row: RosterRow) -> tuple[EnrolmentEvidence | None, list[RowProblem]]:
    """The evidence columns read as EnrolmentEvidence and checked as the page and the API check them."""
    if not any(row.evidence.get(field) for field in EVIDENCE_HEADERS):
        # Most rows state no evidence: every such row reads alike, so it is read once per class.
        return _no_evidence(training.training_type == TrainingType.PROJECT), []
    values: dict[str, object] = {}
    problems = []
    for field, header in EVIDENCE_HEADERS.items():
        text = row.evidence.get(field) or ""
        if field == "receiving_unemployment_benefit":
            values[field] = parse_yes_no(text)
            if values[field] is None:
                problems.append(_problem(row.row, header, Refusal("yes_no", f"应填“是”或“否”，不是“{text}”",
                                                                  f"write 是 (yes) or 否 (no), not {text!r}")))
        elif field.endswith(("_date", "_issued_on")):
            try:
                values[field] = parse_day(text)
            except ValueError:
                problems.append(_problem(row.row, header, Refusal("date", f"日期“{text}”无法识别，请写作2025-03-01",
                                                                  f"unreadable date {text!r}; write 2025-03-01")))
        else:
            values[field] = text
    if problems:
        return None, problems
    evidence = cleaned(EnrolmentEvidence(**values), is_project=training.training_type == TrainingType.PROJECT)  # type: ignore[arg-type]
    return evidence, [_problem(row.row, EVIDENCE_HEADERS[problem.field], problem.refusal)
                      for problem in evidence_problems(evidence)]


@cache
def _no_evidence(is_project: bool) -> EnrolmentEvidence:
    """A row's evidence when it states none: what the general path below makes of empty cells (parse_yes_no("")
    is False, parse_day("") None), which raises no problem (test_roster_bulk_path checks the two agree)."""
    values = {field: False if field == "receiving_unemployment_benefit" else None
              if field.endswith(("_date", "_issued_on")) else "" for field in EVIDENCE_HEADERS}
    return cleaned(EnrolmentEvidence(**values), is_project=is_project)  # type: ignore[arg-type]


def _duplicates(checked: list[_Checked]) -> tuple[list[_Checked], list[RowProblem]]:
    first_row: dict[str, int] = {}
    kept, problems = [], []
    for row in checked:
        if row.person_key in first_row:
            problems.append(_problem(row.source.row, ID_COLUMN, Refusal(
                "duplicate", f"与第{first_row[row.person_key]}行身份证号重复", f"same ID number as row {first_row[row.person_key]}")))
        else:
            first_row[row.person_key] = row.source.row
            kept.append(row)
    return kept, problems


def _database_problems(training: TrainingClass, rows: list[_Checked]) -> tuple[list[_Checked], list[RowProblem]]:
    """Name clashes with the registered person, overlapping classes, and the engine's prediction."""
    keys = [row.person_key for row in rows]
    registered = registered_names(keys)
    clashes = overlapping_enrolments(training, keys)
    found: dict[int, list[RowProblem]] = {}
    for row in rows:
        known = registered.get(row.person_key)
        if known is not None and known[0] != row.name:
            found.setdefault(row.source.row, []).append(_problem(row.source.row, NAME, Refusal(
                "name_mismatch", "该身份证号已登记为另一姓名，请核实", "the ID number is registered under another name")))
        if row.person_key in clashes:
            found.setdefault(row.source.row, []).append(
                _problem(row.source.row, ID_COLUMN, overlap_refusal(clashes[row.person_key])))
    candidates = [Candidate(row.person_key, row.id_number, row.category, row.relation,
                            row.evidence.has_business_licence or registered.get(row.person_key, ("", False))[1],
                            row.evidence.receiving_unemployment_benefit) for row in rows]
    predicted = predicted_refusals(training, candidates)
    for row in rows:
        for refusal in predicted.get(row.person_key, []):
            found.setdefault(row.source.row, []).append(_problem(row.source.row, ID_COLUMN, refusal))
    kept = [row for row in rows if row.source.row not in found]
    return kept, [problem for problems in found.values() for problem in problems]


def check_roster(training: TrainingClass, rows: list[RosterRow]) -> tuple[list[_Checked], list[RowProblem]]:
    """Every row checked; the good ones and every problem of the bad ones, in row order."""
    checked, problems = [], []
    as_of = today()  # read once: the programme's clock costs more than a row's checks
    for row in rows:
        good, found = _field_problems(training, row, as_of)
        problems += found
        if good is not None:
            checked.append(good)
    checked, found = _duplicates(checked)
    problems += found
    checked, found = _database_problems(training, checked)
    problems += found
    problems.sort(key=lambda problem: (problem.row, problem.column))
    return checked, problems


def _sealed(row: _Checked) -> dict[str, Any]:
    """A good row as it waits on the job: no clear personal value (ADR 0001)."""
    return {
        "row": row.source.row, "person_key": row.person_key, "name": row.name, "category": row.category,
        "relation": row.relation, "birth_date": row.birth_date.isoformat(), "sex": row.sex,
        "county_code": row.id_number[:6], "id_number_masked": mask_id_number(row.id_number),
        "id_number_enc": crypto.encrypt(row.id_number, purpose=ID_NUMBER),
        "phone_enc": crypto.encrypt(row.phone, purpose=PHONE) if row.phone else "",
        "phone_masked": mask_phone(row.phone) if row.phone else "",
        "evidence": {field: value.isoformat() if isinstance(value, date) else value
                     for field, value in row.evidence.enrolment_fields().items()},
    }


# ---------------------------------------------------------------- the job

ROSTER_UPLOAD = "training.roster_upload"  # the purpose bound into the sealed upload's token


def receive_roster(actor: User, training: TrainingClass, file_name: str, data: bytes) -> ImportJob:
    """Store an uploaded roster as a job and queue its check (ADR 0005): the call returns at once with the job
    "received"; the task queue's worker takes it to "validated" or "rejected", never applied. The file waits
    sealed (it holds clear ID numbers) and is dropped by the check."""
    require_class_staff(actor, training)
    require_open(training)
    with transaction.atomic():
        job = ImportJob.objects.create(
            training_class=training, uploaded_by=actor, file_name=file_name[:255],
            file_sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data),
            sealed_upload=crypto.encrypt(base64.b64encode(data).decode("ascii"), purpose=ROSTER_UPLOAD))
        record_event(actor, "roster.received", job, after={"class": training.pk, "file": job.file_name,
                                                           "sha256": job.file_sha256, "bytes": len(data)})
        # Enqueued in the job's transaction: a job never exists without its check, nor a check without its job.
        # (With the immediate backend the check has already run when enqueue returns.)
        result = check_roster_upload.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(check_task_id=str(result.id))
    job.refresh_from_db()
    return job


@task()
def check_roster_upload(job_id: int) -> str:
    """The queued check of one received roster. Safe to run again (a worker killed mid-check leaves the job
    "received" and the task is reclaimed): a job no longer "received" is left as it is, and the result is
    written in one transaction under the job's row lock."""
    job = ImportJob.objects.select_related("training_class", "uploaded_by").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.RECEIVED:
        return job.status if job else "missing"
    actor, training = job.uploaded_by, job.training_class
    try:
        data = base64.b64decode(crypto.decrypt(job.sealed_upload, purpose=ROSTER_UPLOAD))
        check_upload(job.file_name, data)
        rows = read_roster(data)
        good, problems = check_roster(training, rows)
    except ValidationError as refusal:
        return _reject(actor, job, " ".join(refusal.messages)).status
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.RECEIVED:
            return locked.status
        locked.status, locked.validated_at = ImportStatus.VALIDATED, timezone.now()
        locked.row_count, locked.good_count = len(rows), len(good)
        locked.bad_count = len({problem.row for problem in problems})
        locked.problems = [asdict(problem) for problem in problems]
        locked.good_rows = [_sealed(row) for row in good]
        locked.sealed_upload = ""
        locked.save()
        record_event(actor, "roster.validated", locked, after={"rows": locked.row_count, "good": locked.good_count,
                                                               "bad": locked.bad_count})
    return locked.status


def _reject(actor: User | None, job: ImportJob, reason: str) -> ImportJob:
    with transaction.atomic():
        job.status, job.rejection_reason, job.sealed_upload = ImportStatus.REJECTED, reason, ""
        job.save(update_fields=["status", "rejection_reason", "sealed_upload"])
        record_event(actor, "roster.rejected", job, after={"status": job.status}, reason=reason)
    return job


def discard_roster(actor: User, job: ImportJob, reason: str) -> ImportJob:
    """The class's institution or city official declines to apply a validated roster, saying why."""
    require_class_staff(actor, job.training_class)
    if job.status != ImportStatus.VALIDATED or not reason.strip():
        raise ValidationError("只能以理由放弃待导入的名册 / only a validated roster can be discarded, with a reason",
                              code="not_discardable")
    return _reject(actor, job, reason.strip())


def apply_roster(actor: User, job: ImportJob) -> ImportJob:
    """Enrol the job's good rows in one transaction; a second call (or a re-run after a crash) is safe.

    The class's institution applies the good rows itself once it has seen the bad ones (issue 4's
    journey); the class's city official may do it too. Nobody else may (6c: the roster is the class's).
    """
    training = job.training_class
    require_class_staff(actor, training)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status == ImportStatus.APPLIED:
            return locked
        if locked.status != ImportStatus.VALIDATED:
            raise ValidationError(f"导入任务状态为“{locked.get_status_display()}”，不能导入 / "
                                  "only a validated roster can be applied", code="not_validated")
        require_open(training)
        # Locking the class serialises applies to it, so the enrolled set read below stays true.
        TrainingClass.objects.select_for_update().filter(pk=training.pk).first()
        created_persons, locked.applied_count = _register_and_enrol(actor, training, locked.good_rows)
        locked.status, locked.applied_by, locked.applied_at = ImportStatus.APPLIED, actor, timezone.now()
        locked.save(update_fields=["applied_count", "status", "applied_by", "applied_at"])
        record_event(actor, "roster.applied", locked, after={
            "class": training.pk, "enrolled": locked.applied_count, "persons_registered": created_persons,
            "good_rows": locked.good_count})
        # Risk scans what the roster brought (shared phones and accounts, overlaps, linkage) once it commits.
        imported(Imported(ImportKind.ROSTER, actor.pk, training.city_id, training.institution_id, training.pk,
                          locked.applied_count))
    return locked


def _register_and_enrol(actor: User, training: TrainingClass, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """The good rows through the same two services as one trainee on the page: `register_persons` (which
    finds a person stored under a retired key too) and `enrol`'s bulk half `enrol_many` (one audit entry per
    enrolment). Returns
    (persons registered, trainees newly enrolled)."""
    clear = {row["person_key"]: crypto.decrypt(row["id_number_enc"], purpose=ID_NUMBER) for row in rows}
    registration = register_persons(actor, [PersonRow(
        clear[row["person_key"]], row["name"],
        crypto.decrypt(row["phone_enc"], purpose=PHONE) if row.get("phone_enc") else None,
        category=row["category"]) for row in rows])
    trainees = [Trainee(registration.stored_key(clear[row["person_key"]]), row["id_number_masked"], row["category"],
                        row["relation"], _evidence_of(row)) for row in rows]
    return registration.created, enrol_many(actor, training, trainees)


def _evidence_of(row: dict[str, Any]) -> EnrolmentEvidence:
    """The evidence as it waits on the job (dates as ISO text); a job validated before the evidence columns
    came carries none: every fact "not stated"."""
    stored = row.get("evidence", {})
    facts: dict[str, Any] = {}
    for name, default in EVIDENCE_DEFAULTS.items():
        value = stored.get(name, default)
        facts[name] = date.fromisoformat(value) if name.endswith(("_date", "_issued_on")) and value else value
    return EnrolmentEvidence(**facts)


def progress(job: ImportJob) -> tuple[str, str]:
    """The one-line state of a job, in Chinese and English, as the page and the API show it; while the job
    waits for its check, the state of the queued task."""
    if job.status == ImportStatus.REJECTED:
        return f"已拒收：{job.rejection_reason}", f"rejected: {job.rejection_reason}"
    if job.status == ImportStatus.APPLIED:
        return (f"已导入：{job.applied_count} 人新入册（可导入 {job.good_count} 行）",
                f"applied: {job.applied_count} newly enrolled ({job.good_count} good rows)")
    if job.status == ImportStatus.VALIDATED:
        return (f"已校验 {job.row_count} 行：{job.good_count} 行可导入，{job.bad_count} 行有问题，待机构确认导入",
                f"validated {job.row_count} rows: {job.good_count} good, {job.bad_count} with problems; "
                "waiting for the institution (or the city official) to apply")
    state = task_state(check_roster_upload, job.check_task_id)
    if state == TaskResultStatus.READY:
        return "已接收，排队等待校验", "received, waiting in the queue to be checked"
    if state == TaskResultStatus.FAILED:
        return ("校验未能完成，已记录故障；请稍后重新上传", "the check could not finish and the fault is logged; "
                "please upload the file again later")
    return "已接收，校验中", "received, being checked"
