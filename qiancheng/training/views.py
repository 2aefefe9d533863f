"""Pages of classes (培训班): the list, opening a class, the city's review, the class page with its
real-name roster, enrolment with the engine's prediction, roster import jobs, and attendance (3.1-3.4, 6c).

Every record is read through the city scope (`scoped` / `get_scoped_or_404`, so another city's class is
the same 404 as a missing one) and every change is one service call, which checks the actor's right:
a wrong role gets the service's 403.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.catalog.models import City
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import days_since, today
from qiancheng.training.class_tabs import class_tabs
from qiancheng.training.forms import ClassForm, DiscardForm, EnrolForm, RefuseForm
from qiancheng.training.models import ClassStatus, EnrolmentStatus, ImportJob, ImportStatus, TrainingClass
from qiancheng.training.services import roster_file
from qiancheng.training.services.attendance import (
    RECORDING_STATES,
    Mark,
    attended_hours,
    class_threshold,
    hours_held,
    record_attendance,
    roster_attendance,
    set_attendance_threshold,
    threshold_on,
)
from qiancheng.training.services.attendance_sheet import (
    attendance_template,
    record_attendance_sheet,
    session_hours,
)
from qiancheng.training.services.classes import (
    FINISHING_STATES,
    apply_for_class,
    approve_class,
    finish_class,
    refuse_class,
)
from qiancheng.training.services.enrolment import OPEN_STATES, enrol_person, preview_enrolment, roster_of
from qiancheng.training.services.roster_import import apply_roster, discard_roster, progress, receive_roster
from qiancheng.web import tabular
from qiancheng.web.listing import Filter, Sort, listing
from qiancheng.web.refusals import show_refusal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLASS_READERS = frozenset({Role.INSTITUTION, Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL})
REVIEWERS = frozenset({Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL})
CLASS_RELATIONS = ("institution", "city", "occupation", "item", "course_kind", "project", "reviewed_by")


def _scoped_class(request: HttpRequest, pk: int) -> TrainingClass:
    return get_scoped_or_404(TrainingClass.objects.select_related(*CLASS_RELATIONS), request.user, pk=pk)


def _xlsx(data: bytes, quoted_name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quoted_name}"
    return response


# ---------------------------------------------------------------- list, apply, review

@signed_in_as(CLASS_READERS)
@require_safe
def class_list(request: HttpRequest) -> HttpResponse:
    """`/classes/`: the classes the user may see (its own, its city's, or all for the province), 50 a page,
    searched by class or institution name, filtered by status, type and (province) city; the province's
    list is grouped by city first."""
    found = (scoped(TrainingClass, request.user).select_related("institution", "occupation", "item", "course_kind",
                                                                "project", "city")
             .annotate(enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED))))
    filters = [Filter("status", _("状态"), ClassStatus.choices), Filter("type", _("培训类型"), TrainingType.choices,
                                                                        lookup="training_type")]
    sorts = [Sort("newest", _("开班日期从近到远"), ("-start_date", "name")),
             Sort("oldest", _("开班日期从远到近"), ("start_date", "name"))]
    if request.user.role == Role.PROVINCE_OFFICIAL:
        filters.append(Filter("city", _("城市"), list(City.objects.order_by("code").values_list("code", "name")),
                              lookup="city_id"))
        sorts.insert(0, Sort("by_city", _("按城市分组"), ("city_id", "-start_date", "name")))
    listed = listing(request, found, search=("name", "institution__name"), search_label=_("班级或机构名称"),
                     filters=filters, sorts=sorts)
    context = {"classes": listed.rows, "count": listed.total, "listed": listed}
    return render(request, "training/class_list.html", context)


@signed_in_as({Role.INSTITUTION})
def class_new(request: HttpRequest) -> HttpResponse:
    """`/classes/new/`: the institution applies to open a class; the service's refusals show on the form."""
    institution = request.user.institution
    form = ClassForm(institution, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            training = apply_for_class(request.user, institution, form.plan())
        except ValidationError as refusal:
            for message in refusal.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("开班申请已提交，等待市人社局审核"))
            return redirect("training:class_detail", pk=training.pk)
    return render(request, "training/class_new.html", {"form": form, "institution": institution})


def pending_classes(user: Any) -> Any:
    """Classes waiting for the user's decision (the city's), for the review queue."""
    return scoped(TrainingClass, user).filter(status=ClassStatus.SUBMITTED)


@signed_in_as(REVIEWERS)
@require_safe
def class_queue(request: HttpRequest) -> HttpResponse:
    """`/classes/queue/`: submitted classes, oldest first, with how long each has waited."""
    waiting = pending_classes(request.user).select_related("institution", "occupation", "item", "course_kind",
                                                           "project").order_by("submitted_at", "pk")
    rows = [(training, days_since(training.submitted_at)) for training in waiting]
    return render(request, "training/class_queue.html", {"rows": rows})


@require_POST
@login_required
def class_finish(request: HttpRequest, pk: int) -> HttpResponse:
    """结业: the class's institution (or city official) closes a class whose last day has come."""
    training = _scoped_class(request, pk)
    try:
        finish_class(request.user, training)
    except ValidationError as refusal:
        show_refusal(request, refusal)
    else:
        messages.success(request, _("已结业：在册学员记为结业，可以录入考核结果和申领补贴"))
    return redirect("training:class_detail", pk=training.pk)


@require_POST
@login_required
def class_approve(request: HttpRequest, pk: int) -> HttpResponse:
    training = _scoped_class(request, pk)
    try:
        approve_class(request.user, training)
    except ValidationError as refusal:
        show_refusal(request, refusal)
    else:
        messages.success(request, _("已批准开班"))
    return redirect("training:class_detail", pk=training.pk)


@require_POST
@login_required
def class_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    training = _scoped_class(request, pk)
    form = RefuseForm(request.POST)
    form.is_valid()
    try:
        refuse_class(request.user, training, form.cleaned_data.get("reason", ""))
    except ValidationError as refusal:
        show_refusal(request, refusal)
    else:
        messages.success(request, _("已不予批准"))
    return redirect("training:class_detail", pk=training.pk)


# ---------------------------------------------------------------- the class page, in tabs

OVERVIEW, ROSTER, ATTENDANCE = "overview", "roster", "attendance"


def _is_staff(user: Any, training: TrainingClass) -> bool:
    """The class's own institution or its city's official: who enrols, imports and records attendance."""
    return (user.role == Role.INSTITUTION and user.institution_id == training.institution_id) or (
        user.role == Role.CITY_OFFICIAL and user.city_id == training.city_id)


def _tab_context(request: HttpRequest, training: TrainingClass, tab: str, **extra: Any) -> dict[str, Any]:
    """What every tab shows: the class's name and status line and the tabs, this one marked."""
    return {"training": training, "tab": tab, "tabs": class_tabs(request.user, training, tab), **extra}


def _overview_context(request: HttpRequest, training: TrainingClass) -> dict[str, Any]:
    user = request.user
    reviewer = user.role == Role.CITY_OFFICIAL and user.city_id == training.city_id
    enrolled = scoped(training.enrolments.filter(status=EnrolmentStatus.ENROLLED), user).count()
    return _tab_context(
        request, training, OVERVIEW,
        teachers=training.teachers.order_by("name"), tags=training.programme_tags.order_by("sort_order"),
        enrolled=enrolled, hours_held=hours_held(training), threshold=class_threshold(training),
        can_review=reviewer and training.status == ClassStatus.SUBMITTED,
        can_finish=(_is_staff(user, training) and training.status in FINISHING_STATES
                    and today() >= training.end_date),
        refuse_form=RefuseForm(), waited_days=days_since(training.submitted_at))


def _roster_context(request: HttpRequest, training: TrainingClass) -> dict[str, Any]:
    user = request.user
    listed = listing(request, scoped(roster_of(training), user), search=("person__name",),
                     search_label=_("学员姓名"),
                     filters=[Filter("status", _("状态"), EnrolmentStatus.choices)],
                     sorts=[Sort("enrolled", _("报名先后"), ("enrolled_on", "pk")),
                            Sort("name", _("按姓名"), ("person__name", "pk"))])
    return _tab_context(
        request, training, ROSTER, listed=listed, enrolments=listed.rows,
        imports=scoped(ImportJob, user).filter(training_class=training).order_by("-created_at")[:20],
        can_enrol=_is_staff(user, training) and training.status in OPEN_STATES and today() <= training.end_date,
        enrol_form=EnrolForm())


def _attendance_context(request: HttpRequest, training: TrainingClass, **extra: Any) -> dict[str, Any]:
    """Every trainee on one form (a session marks the unticked absent, so the form cannot be paged) with
    attendance to date against the hours held so far while the class runs (RosterAttendance)."""
    user = request.user
    attendance = roster_attendance(training)
    hours = attended_hours(training)
    rows = []
    for enrolment in scoped(roster_of(training), user):
        shown = attendance.get(enrolment.pk)
        rows.append({"enrolment": enrolment, "hours": hours.get(enrolment.pk, Decimal("0")),
                     "rate": shown.rate if shown else None, "below": shown.below if shown else False})
    recordable = [row for row in rows if row["enrolment"].status == EnrolmentStatus.ENROLLED]
    return _tab_context(
        request, training, ATTENDANCE, rows=rows, threshold=class_threshold(training),
        attendance_to_date=today() < training.end_date, hours_held=hours_held(training),
        below_count=sum(1 for row in rows if row["below"]),
        can_record=_is_staff(user, training) and training.status in RECORDING_STATES and bool(recordable),
        session_day=min(max(today(), training.start_date), training.end_date).isoformat(),
        session_hours=session_hours(training), **extra)


@login_required
@require_safe
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/classes/<pk>/` 概况: the class's facts, teachers, the figures of its roster and attendance, and the
    review or finishing the user may do. The roster and attendance are tabs of their own."""
    training = _scoped_class(request, pk)
    return render(request, "training/class_overview.html", _overview_context(request, training))


@login_required
def class_roster(request: HttpRequest, pk: int) -> HttpResponse:
    """`/classes/<pk>/roster/` 名册: the real-name roster, 50 a page, with enrolment and import; a POST to the
    same address uploads a roster file (as it always has)."""
    if request.method == "POST":
        return roster_upload(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    training = _scoped_class(request, pk)
    return render(request, "training/class_roster.html", _roster_context(request, training))


@login_required
def class_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """`/classes/<pk>/attendance/` 考勤: attendance to date against the hours held, the session form and the
    sheet upload; a POST to the same address records one session (as it always has)."""
    if request.method == "POST":
        return attendance_session(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    training = _scoped_class(request, pk)
    return render(request, "training/class_attendance.html", _attendance_context(request, training))


@require_POST
@login_required
def enrol_check(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX: the engine's prediction for one would-be trainee, before anyone is enrolled (3.5, 6c)."""
    training = _scoped_class(request, pk)
    form = EnrolForm(request.POST)
    context: dict[str, Any] = {"training": training}
    if form.is_valid():
        data = form.cleaned_data
        try:
            context["preview"] = preview_enrolment(request.user, training, id_number=data["id_number"],
                                                   name=data["name"], category=data["category"],
                                                   relation=data["relation"], evidence=form.evidence())
        except ValidationError as refusal:
            context["errors"] = refusal.messages
    else:
        context["errors"] = [f"{form.fields[name].label}：{error}" for name, errors in form.errors.items()
                             for error in errors]
    return render(request, "training/_enrol_check.html", context)


@require_POST
@login_required
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    training = _scoped_class(request, pk)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写姓名、身份证号和人员类别"))
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label}：{error}")
        return redirect("training:class_roster", pk=training.pk)
    data = form.cleaned_data
    try:
        enrolment = enrol_person(request.user, training, id_number=data["id_number"], name=data["name"],
                                 category=data["category"], phone=data["phone"] or None, relation=data["relation"],
                                 evidence=form.evidence())
    except ValidationError as refusal:
        show_refusal(request, refusal)
    else:
        messages.success(request, _("已报名：%(name)s") % {"name": enrolment.person.name})
    return redirect("training:class_roster", pk=training.pk)


# ---------------------------------------------------------------- roster import

@signed_in_as(CLASS_READERS)
@require_safe
def roster_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(roster_file.roster_template(), "%E5%90%8D%E5%86%8C%E6%A8%A1%E6%9D%BF.xlsx")  # 名册模板.xlsx


@require_POST
@login_required
def roster_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """An uploaded roster becomes an import job; nothing is enrolled until someone applies its good rows."""
    training = _scoped_class(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择名册文件（.xlsx）"))
        return redirect("training:class_roster", pk=training.pk)
    # One byte over the cap is enough to refuse; a bigger upload is never read whole into memory.
    data = upload.read(tabular.MAX_UPLOAD_BYTES + 1)
    try:
        job = receive_roster(request.user, training, upload.name or "roster.xlsx", data)
    except ValidationError as refusal:
        show_refusal(request, refusal)
        return redirect("training:class_roster", pk=training.pk)
    return redirect("training:import_detail", pk=job.pk)


def _import_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    user, training = request.user, job.training_class
    staff = (user.role == Role.INSTITUTION and user.institution_id == training.institution_id) or (
        user.role == Role.CITY_OFFICIAL and user.city_id == training.city_id)
    zh, en = progress(job)
    return {"job": job, "training": training, "progress_zh": zh, "progress_en": en,
            "finished": job.status != ImportStatus.RECEIVED,
            "can_decide": staff and job.status == ImportStatus.VALIDATED, "discard_form": DiscardForm()}


@login_required
@require_safe
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/classes/imports/<pk>/`: the job's progress line (polled while unfinished), counts and bad rows."""
    job = get_scoped_or_404(ImportJob.objects.select_related("training_class"), request.user, pk=pk)
    context = _import_context(request, job)
    if request.headers.get("HX-Request") == "true":
        return render(request, "training/_import_progress.html", context)
    return render(request, "training/import_detail.html", context)


@require_POST
@login_required
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_scoped_or_404(ImportJob.objects.select_related("training_class"), request.user, pk=pk)
    try:
        job = apply_roster(request.user, job)
    except ValidationError as refusal:
        show_refusal(request, refusal)
    else:
        messages.success(request, _("已导入有效行：%(count)s 人新入册") % {"count": job.applied_count})
    return redirect("training:import_detail", pk=job.pk)


@require_POST
@login_required
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_scoped_or_404(ImportJob.objects.select_related("training_class"), request.user, pk=pk)
    form = DiscardForm(request.POST)
    form.is_valid()
    try:
        discard_roster(request.user, job, form.cleaned_data.get("reason", "") or _("放弃导入"))
    except ValidationError as refusal:
        show_refusal(request, refusal)
    else:
        messages.success(request, _("已放弃该名册"))
    return redirect("training:import_detail", pk=job.pk)


# ---------------------------------------------------------------- attendance

@require_POST
@login_required
def attendance_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one session: a checkbox per trainee (present), the same hours for everyone present."""
    training = _scoped_class(request, pk)
    try:
        day = date.fromisoformat(request.POST.get("session_date", ""))
        hours = Decimal(request.POST.get("hours", "") or "0")
    except (ValueError, ArithmeticError):
        messages.error(request, _("请填写有效的上课日期和课时"))
        return redirect("training:class_attendance", pk=training.pk)
    present = set(request.POST.getlist("present"))
    enrolled = scoped(training.enrolments.filter(status=EnrolmentStatus.ENROLLED), request.user)
    marks = [Mark(pk_, str(pk_) in present, hours if str(pk_) in present else Decimal("0"))
             for pk_ in enrolled.values_list("pk", flat=True)]
    try:
        changed = record_attendance(request.user, training, day, marks)
    except ValidationError as refusal:
        show_refusal(request, refusal)
    else:
        messages.success(request, _("已记录 %(day)s 的考勤（%(count)s 条）") % {"day": day, "count": changed})
    return redirect("training:class_attendance", pk=training.pk)


@signed_in_as(CLASS_READERS)
@require_safe
def attendance_sheet_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(attendance_template(), "%E8%80%83%E5%8B%A4%E6%A8%A1%E6%9D%BF.xlsx")  # 考勤模板.xlsx


@require_POST
@login_required
def attendance_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """An attendance sheet: recorded whole, or (any bad row) not at all, with every bad row shown."""
    training = _scoped_class(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择考勤表文件（.xlsx）"))
        return redirect("training:class_attendance", pk=training.pk)
    data = upload.read(tabular.MAX_UPLOAD_BYTES + 1)
    try:
        result = record_attendance_sheet(request.user, training, upload.name or "attendance.xlsx", data)
    except ValidationError as refusal:
        show_refusal(request, refusal)
        return redirect("training:class_attendance", pk=training.pk)
    if result.accepted:
        messages.success(request, _("考勤表已记录：%(rows)s 行，%(count)s 条考勤有变更")
                         % {"rows": result.rows, "count": result.recorded})
        return redirect("training:class_attendance", pk=training.pk)
    context = _attendance_context(request, training, sheet_result=result)
    return render(request, "training/class_attendance.html", context, status=422)


@signed_in_as(REVIEWERS)
def attendance_threshold(request: HttpRequest) -> HttpResponse:
    """`/classes/attendance-threshold/`: the city's attendance threshold (local practice), its history, and
    the form that sets a new value from a date on. A province official chooses the city."""
    from qiancheng.catalog.models import City
    from qiancheng.training.models import AttendanceThreshold

    user = request.user
    cities = City.objects.order_by("code") if user.role == Role.PROVINCE_OFFICIAL else City.objects.filter(
        pk=user.city_id)
    chosen = request.POST.get("city") or request.GET.get("city") or (user.city_id or "")
    city = cities.filter(pk=chosen).first() or cities.first()
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and city is not None:
        try:
            set_attendance_threshold(user, city, date.fromisoformat(request.POST.get("effective_from", "")),
                                     Decimal(request.POST.get("rate_percent", "")) / 100,
                                     request.POST.get("source", ""))
        except (ValueError, ArithmeticError):
            errors["__all__"] = [_("请填写有效的日期和百分比")]
        except ValidationError as refusal:
            errors = refusal.message_dict if hasattr(refusal, "error_dict") else {"__all__": refusal.messages}
        else:
            messages.success(request, _("已设定出勤率阈值"))
            return redirect(f"{request.path}?city={city.pk}")
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    history = scoped(AttendanceThreshold.objects.filter(city=city), user).select_related("set_by") if city else []
    context = {"cities": cities, "city": city, "history": history, "errors": errors,
               "current": threshold_on(today(), city.pk if city else None), "today": today()}
    return render(request, "training/attendance_threshold.html", context, status=422 if errors else 200)
