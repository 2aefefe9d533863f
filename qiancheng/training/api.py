"""`/api/v1/classes` and `/api/v1/imports`: opening classes, their rosters and roster import jobs.

Every record is fetched through the city scope (a 柳州 official gets the same 404 for a 南宁 class as
for a missing one); every change is one service call that checks the actor's right.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from qiancheng.accounts.api_errors import ApiError, ErrorOut, refusal_error
from qiancheng.accounts.api_types import Money
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.catalog.models import (
    City,
    CourseKind,
    IndustrialPark,
    Industry,
    Occupation,
    SpecialAbilityItem,
)
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.projects.models import Project
from qiancheng.providers.models import Institution, Teacher
from qiancheng.training.models import Enrolment, ImportJob, TrainingClass, TrainingForm
from qiancheng.training.services import roster_file
from qiancheng.training.services.attendance import (
    Mark,
    attendance_rates,
    class_threshold,
    record_attendance,
    set_attendance_threshold,
)
from qiancheng.training.services.attendance_sheet import attendance_template, record_attendance_sheet
from qiancheng.training.services.classes import (
    ClassPlan,
    apply_for_class,
    approve_class,
    finish_class,
    refuse_class,
)
from qiancheng.training.services.enrolment import enrol_person, preview_enrolment, roster_of
from qiancheng.training.services.evidence import EnrolmentEvidence
from qiancheng.training.services.roster_import import apply_roster, discard_roster, progress, receive_roster
from qiancheng.web import tabular

classes_router = Router(tags=["classes 培训班"])
imports_router = Router(tags=["imports 名册导入"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
OPTIONAL_FILE = File(None)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ClassOut(Schema):
    id: int
    name: str
    institution_id: int
    city_code: str
    training_type: str
    occupation_code: str | None
    level: int | None
    item_code: str | None
    course_kind: str | None
    project_code: str | None
    park_code: str | None  # 4.1: the park the class is delivered for
    training_form: str  # 2.1 / 2.2: employment_skills, pre_job, job_transfer, skill_upgrade; "" before it was kept
    industry_code: str | None  # 1a "1+19"
    start_date: dt.date
    end_date: dt.date
    class_hours: int
    venue: str
    cost_total: Decimal
    cost_government: Decimal
    cost_enterprise: Decimal
    cost_individual: Decimal
    teacher_ids: list[int]
    status: str
    status_label: str
    review_note: str

    @staticmethod
    def of(training: TrainingClass) -> ClassOut:
        return ClassOut(
            id=training.pk, name=training.name, institution_id=training.institution_id, city_code=training.city_id,
            training_type=training.training_type, occupation_code=training.occupation_id, level=training.level,
            item_code=training.item_id, course_kind=training.course_kind_id,
            project_code=training.project.code if training.project_id else None,
            park_code=training.park.code if training.park_id else None,
            training_form=training.training_form, industry_code=training.industry_id,
            start_date=training.start_date, end_date=training.end_date, class_hours=training.class_hours,
            venue=training.venue, cost_total=training.cost_total, cost_government=training.cost_government,
            cost_enterprise=training.cost_enterprise, cost_individual=training.cost_individual,
            teacher_ids=sorted(training.teachers.values_list("pk", flat=True)), status=training.status,
            status_label=str(training.get_status_display()), review_note=training.review_note,
        )


class ClassIn(Schema):
    institution_id: int
    name: str
    training_type: TrainingType
    start_date: dt.date
    end_date: dt.date
    class_hours: int
    occupation_code: str | None = None
    level: int | None = None
    item_code: str | None = None
    course_kind: str | None = None
    project_code: str | None = None
    # 4.1: the park the class is delivered for; a project class defaults to its applicant's park
    park_code: str | None = None
    # 2.1 / 2.2: omit for the type's default (occupational and special-ability: employment_skills)
    training_form: TrainingForm | None = None
    industry_code: str | None = Field(None, max_length=32, description='1a "1+19" industry code')
    teaching_plan: str = ""
    assessment_plan: str = ""
    venue: str = ""
    cost_government: Money = Decimal("0")
    cost_enterprise: Money = Decimal("0")
    cost_individual: Money = Decimal("0")
    teacher_ids: list[int] = []


class RefuseIn(Schema):
    reason: str = ""  # checked by the service, after the scope check


class EnrolmentOut(Schema):
    id: int
    name: str
    id_number_masked: str
    category: str
    applicant_relation: str
    status: str
    enrolled_on: dt.date
    # What the rules read, each with its document (kind and number) and date: 2.1a, 5.3, 3.3, 3.4e.
    category_evidence: str
    category_evidence_date: dt.date | None
    receiving_unemployment_benefit: bool
    benefit_evidence: str
    benefit_evidence_date: dt.date | None
    business_licence_uscc: str
    business_licence_issued_on: dt.date | None
    relation_evidence: str
    relation_evidence_date: dt.date | None

    @staticmethod
    def of(e: Enrolment) -> EnrolmentOut:
        return EnrolmentOut(id=e.pk, name=e.person.name, id_number_masked=e.person.id_number_masked,
                            category=e.category, applicant_relation=e.applicant_relation, status=e.status,
                            enrolled_on=e.enrolled_on,
                            **{name: getattr(e, name) for name in EnrolmentEvidence().enrolment_fields()})


class ProblemOut(Schema):
    row: int
    column: str
    code: str
    zh: str
    en: str


class ImportOut(Schema):
    id: int
    class_id: int
    file_name: str
    status: str
    status_label: str
    progress_zh: str
    progress_en: str
    row_count: int
    good_count: int
    bad_count: int
    applied_count: int
    rejection_reason: str
    problems: list[ProblemOut]
    created_at: dt.datetime
    validated_at: dt.datetime | None
    applied_at: dt.datetime | None

    @staticmethod
    def of(job: ImportJob) -> ImportOut:
        return ImportOut(
            id=job.pk, class_id=job.training_class_id, file_name=job.file_name, status=job.status,
            status_label=str(job.get_status_display()), progress_zh=progress(job)[0], progress_en=progress(job)[1],
            row_count=job.row_count, good_count=job.good_count, bad_count=job.bad_count,
            applied_count=job.applied_count, rejection_reason=job.rejection_reason,
            problems=[ProblemOut(**problem) for problem in job.problems], created_at=job.created_at,
            validated_at=job.validated_at, applied_at=job.applied_at,
        )


class DiscardIn(Schema):
    reason: str = ""  # checked by the service, after the scope check


# ---------------------------------------------------------------- classes

def _catalog(model: type[Any], code: str | None, label_zh: str, label_en: str) -> Any:
    if code is None:
        return None
    found = model.objects.filter(pk=code).first()
    if found is None:
        raise ValidationError(f"未知的{label_zh} {code} / unknown {label_en} {code}", code="catalog")
    return found


def _park(code: str | None) -> IndustrialPark | None:
    if code is None:
        return None
    found = IndustrialPark.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(f"未知的园区 {code} / unknown park {code}", code="catalog")
    return found


def _plan(request: HttpRequest, payload: ClassIn) -> ClassPlan:
    teachers = list(scoped(Teacher, request.auth).filter(pk__in=payload.teacher_ids))
    if len(teachers) != len(set(payload.teacher_ids)):
        raise ValidationError("有教师不存在或不属于本机构 / a teacher is unknown or not yours", code="teachers")
    project = get_scoped_or_404(Project, request.auth, code=payload.project_code) if payload.project_code else None
    return ClassPlan(
        name=payload.name, training_type=payload.training_type, start_date=payload.start_date,
        end_date=payload.end_date, class_hours=payload.class_hours,
        occupation=_catalog(Occupation, payload.occupation_code, "职业", "occupation"), level=payload.level,
        item=_catalog(SpecialAbilityItem, payload.item_code, "专项能力项目", "special-ability item"),
        course_kind=_catalog(CourseKind, payload.course_kind, "创业培训类别", "course kind"), project=project,
        park=_park(payload.park_code), training_form=payload.training_form or "",
        industry=_catalog(Industry, payload.industry_code, "产业", "industry"),
        teaching_plan=payload.teaching_plan, assessment_plan=payload.assessment_plan, venue=payload.venue,
        cost_government=payload.cost_government, cost_enterprise=payload.cost_enterprise,
        cost_individual=payload.cost_individual, teachers=teachers,
    )


@classes_router.get("", response=list[ClassOut], summary="培训班列表 / classes you may see")
def list_classes(request: HttpRequest, status: str | None = Query(None, description="按状态筛选 / filter by status"),
                 limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000_000)) -> list[ClassOut]:
    found = scoped(TrainingClass, request.auth).select_related("project", "park").order_by("pk")
    if status is not None:
        found = found.filter(status=status)
    return [ClassOut.of(training) for training in found[offset:offset + limit]]


@classes_router.post("", response={201: ClassOut, **ERRORS}, summary="开班申请 / an institution applies to open a class")
def create_class(request: HttpRequest, payload: ClassIn) -> Status:
    institution = get_scoped_or_404(Institution, request.auth, pk=payload.institution_id)
    return Status(201, ClassOut.of(apply_for_class(request.auth, institution, _plan(request, payload))))


@classes_router.get("/{int:class_id}", response={200: ClassOut, 404: ErrorOut}, summary="培训班详情 / one class")
def get_class(request: HttpRequest, class_id: int) -> ClassOut:
    return ClassOut.of(get_scoped_or_404(TrainingClass, request.auth, pk=class_id))


@classes_router.post("/{int:class_id}/approve", response={200: ClassOut, **ERRORS},
                     summary="批准开班 / the city approves the class (3.1, 3.2 checked)")
def approve(request: HttpRequest, class_id: int) -> ClassOut:
    return ClassOut.of(approve_class(request.auth, get_scoped_or_404(TrainingClass, request.auth, pk=class_id)))


@classes_router.post("/{int:class_id}/refuse", response={200: ClassOut, **ERRORS},
                     summary="不予批准 / the city refuses the class, with a reason")
def refuse(request: HttpRequest, class_id: int, payload: RefuseIn) -> ClassOut:
    training = get_scoped_or_404(TrainingClass, request.auth, pk=class_id)
    return ClassOut.of(refuse_class(request.auth, training, payload.reason))


@classes_router.post("/{int:class_id}/finish", response={200: ClassOut, **ERRORS},
                     summary="结业（最后一天起）/ finish the class once its last day has come; the roster completes")
def finish(request: HttpRequest, class_id: int) -> ClassOut:
    training = get_scoped_or_404(TrainingClass, request.auth, pk=class_id)
    try:
        return ClassOut.of(finish_class(request.auth, training))
    except ValidationError as refusal:
        raise refusal_error(refusal) from refusal


@classes_router.get("/{int:class_id}/roster", response={200: list[EnrolmentOut], 404: ErrorOut},
                    summary="实名制名册 / the class's real-name roster (ID numbers masked)")
def roster(request: HttpRequest, class_id: int) -> list[EnrolmentOut]:
    training = get_scoped_or_404(TrainingClass, request.auth, pk=class_id)
    enrolments: list[Enrolment] = list(scoped(roster_of(training), request.auth))
    return [EnrolmentOut.of(e) for e in enrolments]


class EnrolIn(Schema):
    # Defaults so that the scope check answers first; the service refuses what is missing.
    id_number: str = ""
    name: str = ""
    category: str = "other"
    phone: str | None = None
    relation: str = "none"
    # The evidence the rules read; each document by kind and number, with its date (YYYY-MM-DD).
    category_evidence: str = ""  # 2.1a, e.g. "失业登记证 4501002025000123"
    category_evidence_date: dt.date | None = None
    receiving_unemployment_benefit: bool = False  # 5.3
    benefit_evidence: str = ""  # e.g. "失业保险金核定通知书 南人社失〔2025〕0123号"
    benefit_evidence_date: dt.date | None = None
    business_licence_uscc: str = ""  # 3.3: IYB and EYB need a licence
    business_licence_issued_on: dt.date | None = None
    relation_evidence: str = ""  # 3.4e, e.g. "劳动合同 HT-2025-0456"
    relation_evidence_date: dt.date | None = None

    def evidence(self) -> EnrolmentEvidence:
        return EnrolmentEvidence(**{name: getattr(self, name) for name in EnrolmentEvidence().enrolment_fields()})


@classes_router.post("/{int:class_id}/enrolments", response={201: EnrolmentOut, **ERRORS},
                     summary="实名报名一名学员（含政策预判）/ enrol one trainee, refused with the engine's prediction")
def enrol(request: HttpRequest, class_id: int, payload: EnrolIn) -> Status:
    training = get_scoped_or_404(TrainingClass, request.auth, pk=class_id)
    try:
        e = enrol_person(request.auth, training, id_number=payload.id_number, name=payload.name,
                         category=payload.category, phone=payload.phone, relation=payload.relation,
                         evidence=payload.evidence())
    except ValidationError as refusal:
        # e.g. "after_last_day", naming the class's last day, rather than a bare "invalid"
        raise refusal_error(refusal) from refusal
    return Status(201, EnrolmentOut.of(e))


class PredictionOut(Schema):
    name: str
    id_number_masked: str
    ordinal: int
    years_used: list[int]
    eligible: bool
    summary_zh: str
    summary_en: str
    refusals: list[ProblemOut]


@classes_router.post("/{int:class_id}/enrolments/check", response={200: PredictionOut, **ERRORS},
                     summary="报名前政策预判（不报名）/ the engine's prediction for one trainee, without enrolling")
def enrol_check(request: HttpRequest, class_id: int, payload: EnrolIn) -> PredictionOut:
    training = get_scoped_or_404(TrainingClass, request.auth, pk=class_id)
    try:
        preview = preview_enrolment(request.auth, training, id_number=payload.id_number, name=payload.name,
                                    category=payload.category, relation=payload.relation,
                                    evidence=payload.evidence())
    except ValidationError as refusal:
        raise refusal_error(refusal) from refusal
    return PredictionOut(
        name=preview.name, id_number_masked=preview.id_number_masked, ordinal=preview.ordinal,
        years_used=list(preview.years_used), eligible=preview.eligible, summary_zh=preview.summary_zh,
        summary_en=preview.summary_en,
        refusals=[ProblemOut(row=0, column="", code=r.code, zh=r.zh, en=r.en) for r in preview.refusals])


@classes_router.post("/{int:class_id}/roster", response={201: ImportOut, **ERRORS},
                     summary="上传名册 .xlsx，生成导入任务（不直接入册）/ upload an .xlsx roster as an import job")
def upload_roster(request: HttpRequest, class_id: int, file: File[UploadedFile]) -> Status:
    training = get_scoped_or_404(TrainingClass, request.auth, pk=class_id)
    # One byte over the cap is enough to refuse; a bigger upload is never read whole into memory.
    data = file.read(tabular.MAX_UPLOAD_BYTES + 1)
    try:
        return Status(201, ImportOut.of(receive_roster(request.auth, training, file.name or "roster.xlsx", data)))
    except ValidationError as refusal:
        raise refusal_error(refusal) from refusal


class MarkIn(Schema):
    enrolment_id: int
    present: bool
    hours: Decimal = Decimal("0")


class SessionIn(Schema):
    session_date: dt.date | None = None  # required; defaulted so that the scope check answers first
    marks: list[MarkIn] = []


class RateOut(Schema):
    enrolment_id: int
    rate: Decimal
    below_threshold: bool


class AttendanceOut(Schema):
    threshold: Decimal
    threshold_source: str
    recorded: int | None = None
    rates: list[RateOut]


def _attendance(training: TrainingClass, recorded: int | None = None) -> AttendanceOut:
    threshold = class_threshold(training)
    return AttendanceOut(threshold=threshold.rate, threshold_source=threshold.source, recorded=recorded, rates=[
        RateOut(enrolment_id=pk, rate=rate, below_threshold=rate < threshold.rate)
        for pk, rate in sorted(attendance_rates(training).items())])


@classes_router.get("/{int:class_id}/attendance", response={200: AttendanceOut, 404: ErrorOut},
                    summary="出勤率（阈值为地方通行做法，默认80%）/ attendance rates (threshold: local practice, 80%)")
def attendance(request: HttpRequest, class_id: int) -> AttendanceOut:
    return _attendance(get_scoped_or_404(TrainingClass, request.auth, pk=class_id))


@classes_router.post("/{int:class_id}/attendance", response={200: AttendanceOut, **ERRORS},
                     summary="记录一次课的考勤 / record one session's attendance")
def post_attendance(request: HttpRequest, class_id: int, payload: SessionIn) -> AttendanceOut:
    training = get_scoped_or_404(TrainingClass, request.auth, pk=class_id)
    if payload.session_date is None:
        raise ValidationError("缺少上课日期 / session_date is required", code="session_date")
    marks = [Mark(mark.enrolment_id, mark.present, mark.hours) for mark in payload.marks]
    return _attendance(training, record_attendance(request.auth, training, payload.session_date, marks))


class ThresholdIn(Schema):
    # Defaults so that the role check answers first; the service refuses what is missing or out of range.
    city_code: str = ""
    effective_from: dt.date | None = None
    rate: Decimal = Decimal("0")  # a fraction: 0.80 is 80 %
    source: str = ""


class ThresholdOut(Schema):
    city_code: str
    effective_from: dt.date
    rate: Decimal
    source: str


@classes_router.post("/attendance-thresholds", response={201: ThresholdOut, **ERRORS},
                     summary="设定本市出勤率阈值（今日起，注明依据文件）/ set a city's attendance threshold from a date on")
def post_threshold(request: HttpRequest, payload: ThresholdIn) -> Status:
    city = City.objects.filter(pk=payload.city_code).first()
    if city is None or payload.effective_from is None:
        raise ApiError(422, "invalid_fields", "须给出城市代码和生效日期", "city_code and effective_from are required")
    entry = set_attendance_threshold(request.auth, city, payload.effective_from, payload.rate, payload.source)
    return Status(201, ThresholdOut(city_code=entry.city_id, effective_from=entry.effective_from, rate=entry.rate,
                                    source=entry.source))


class SheetOut(Schema):
    rows: int
    recorded: int


@classes_router.post("/{int:class_id}/attendance/upload", response={200: SheetOut, **ERRORS},
                     summary="上传考勤表 .xlsx（身份证号/姓名/日期/出勤；有错行则整表不记录）/ upload an attendance "
                             "sheet: all rows recorded, or none with every bad row")
def upload_attendance(request: HttpRequest, class_id: int, file: UploadedFile | None = OPTIONAL_FILE) -> SheetOut:
    # The file is optional in the signature so that the scope check answers (404) before a missing file (422).
    training = get_scoped_or_404(TrainingClass, request.auth, pk=class_id)
    if file is None:
        raise ValidationError("缺少考勤表文件 / the file is missing", code="file")
    data = file.read(tabular.MAX_UPLOAD_BYTES + 1)
    result = record_attendance_sheet(request.auth, training, file.name or "attendance.xlsx", data)
    if not result.accepted:
        raise ApiError(422, "attendance_sheet_rows", f"考勤表有{len(result.problems)}处错误，整表未记录",
                       f"{len(result.problems)} problems in the sheet; nothing was recorded",
                       details=[{"row": p.row, "column": p.column, "zh": p.zh, "en": p.en} for p in result.problems])
    return SheetOut(rows=result.rows, recorded=result.recorded)


# ---------------------------------------------------------------- import jobs

@imports_router.get("/template", summary="下载名册模板 / download the roster template (.xlsx)")
def template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(roster_file.roster_template(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%90%8D%E5%86%8C%E6%A8%A1%E6%9D%BF.xlsx"
    return response


@imports_router.get("/attendance-template", summary="下载考勤表模板 / download the attendance sheet template (.xlsx)")
def attendance_sheet_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(attendance_template(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E8%80%83%E5%8B%A4%E6%A8%A1%E6%9D%BF.xlsx"
    return response


@imports_router.get("/{int:import_id}", response={200: ImportOut, 404: ErrorOut},
                    summary="导入任务状态与问题行 / an import job, its progress and its bad rows")
def get_import(request: HttpRequest, import_id: int) -> ImportOut:
    return ImportOut.of(get_scoped_or_404(ImportJob, request.auth, pk=import_id))


@imports_router.post("/{int:import_id}/apply", response={200: ImportOut, **ERRORS},
                     summary="确认导入合格行（原子、幂等）/ apply the good rows (atomic, idempotent)")
def apply(request: HttpRequest, import_id: int) -> ImportOut:
    job = get_scoped_or_404(ImportJob, request.auth, pk=import_id)
    try:
        return ImportOut.of(apply_roster(request.auth, job))
    except ValidationError as refusal:
        raise refusal_error(refusal) from refusal


@imports_router.post("/{int:import_id}/discard", response={200: ImportOut, **ERRORS},
                     summary="放弃导入 / discard a validated roster, with a reason")
def discard(request: HttpRequest, import_id: int, payload: DiscardIn) -> ImportOut:
    job = get_scoped_or_404(ImportJob, request.auth, pk=import_id)
    return ImportOut.of(discard_roster(request.auth, job, payload.reason))
