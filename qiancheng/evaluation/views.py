"""Certificate pages: public verification, the printable certificate and its PDF, a class's results and
the issue of its certificates, and the import of certificates from the evaluation bodies (1b, 4.2, 4.6, 3.4d)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, public, scoped
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.evaluation.imports import (
    HEADERS,
    HEADERS_EN,
    IMPORTERS,
    certificate_template,
    import_certificates,
    read_certificate_file,
)
from qiancheng.evaluation.models import Certificate, CertificateKind, CertificateStatus, Evaluation
from qiancheng.evaluation.pdf import certificate_pdf
from qiancheng.evaluation.services import (
    ResultEntry,
    ResultRowsRefused,
    class_certificate_kind,
    issue_class_certificates,
    latest_evaluations,
    parse_score,
    record_class_results,
    revocation_summaries,
    revoke_certificate,
)
from qiancheng.training.class_tabs import class_tabs
from qiancheng.training.models import AttendanceRecord, ClassStatus, Enrolment, TrainingClass
from qiancheng.training.services.attendance import attendance_rates
from qiancheng.training.services.enrolment import roster_of
from qiancheng.web.listing import Filter, Sort, listing
from qiancheng.web.refusals import show_refusal
from qiancheng.web.tabular import MAX_UPLOAD_BYTES

CERTIFICATE_RELATIONS = ("person", "occupation", "item", "course_kind", "project")
# What the verification URL can carry as one path segment (a certificate number never has a slash).
CERTIFICATE_NUMBER = re.compile(r"[^/]+")


def mask_name(name: str) -> str:
    """'张三' -> '张*', '张小三' -> '张*三': the public sees enough to match a certificate, not a full name."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _verify_url(request: HttpRequest, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("evaluation:verify", args=[certificate.number]))


@public
@require_safe
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """`/verify/<number>/`: anyone checks a certificate; the holder's name is masked and no ID number shows."""
    certificate = Certificate.objects.select_related(*CERTIFICATE_RELATIONS).filter(number=number.strip()).first()
    if certificate is None:
        return render(request, "evaluation/verify_not_found.html", {"number": number}, status=404)
    context = {"certificate": certificate, "holder": mask_name(certificate.person.name)}
    return render(request, "evaluation/verify.html", context)


@public
@require_safe
def verify_search(request: HttpRequest) -> HttpResponse:
    """`/verify/`: type a certificate number and go to its verification page."""
    number = request.GET.get("number", "").strip()[:64]
    if number and not CERTIFICATE_NUMBER.fullmatch(number):
        # No certificate number has a slash: say "not found" rather than build a link that cannot exist.
        return render(request, "evaluation/verify_not_found.html", {"number": number}, status=404)
    if number:
        return redirect("evaluation:verify", number=number)
    return render(request, "evaluation/verify_search.html")


@require_safe
def certificate_print(request: HttpRequest, number: str) -> HttpResponse:
    """`/certificates/<number>/`: the printable certificate for its holder, institution and officials."""
    certificate = get_scoped_or_404(
        Certificate.objects.select_related(*CERTIFICATE_RELATIONS), request.user, number=number
    )
    verify_url = _verify_url(request, certificate)
    qr_svg = segno.make(verify_url, error="m").svg_inline(scale=4)
    context = {"certificate": certificate, "verify_url": verify_url, "qr_svg": qr_svg,
               "id_number_masked": certificate.person.id_number_masked,
               "can_revoke": request.user.role in OFFICIALS and certificate.status == CertificateStatus.VALID}
    return render(request, "evaluation/certificate.html", context)


OFFICIALS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})


@require_POST
@signed_in_as(OFFICIALS, hide=True)
def certificate_revoke(request: HttpRequest, number: str) -> HttpResponse:
    """POST `/certificates/<number>/revoke/`: the bureau withdraws a certificate with a reason (6d); every
    claim paid on it becomes a recovery case (funding registers that consequence and says what it did)."""
    certificate = get_scoped_or_404(Certificate, request.user, number=number)
    try:
        revoke_certificate(request.user, certificate, request.POST.get("reason", ""))
    except (PermissionDenied, ValidationError) as refusal:
        show_refusal(request, refusal)
    else:
        messages.success(request, " ".join([_("证书已撤销。"), *revocation_summaries(certificate)]))
    return redirect("evaluation:certificate", number=certificate.number)


@require_safe
def certificate_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    """`/certificates/<number>.pdf`: the same certificate, same scope, as a PDF with the QR code."""
    certificate = get_scoped_or_404(
        Certificate.objects.select_related(*CERTIFICATE_RELATIONS), request.user, number=number
    )
    response = HttpResponse(certificate_pdf(certificate, _verify_url(request, certificate)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


# ---------------------------------------------------------------- results of a class (1b, 4.2, 3.4d)

RESULT_READERS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL, Role.INSTITUTION})
RESULT_CLASS_STATES = (ClassStatus.APPROVED, ClassStatus.IN_PROGRESS, ClassStatus.FINISHED)
PASS, FAIL = "pass", "fail"


@require_safe
@signed_in_as(RESULT_READERS, hide=True)
def class_list(request: HttpRequest) -> HttpResponse:
    """`/evaluation/classes/`: the classes whose results the user may see or record."""
    classes = (scoped(TrainingClass, request.user).filter(status__in=RESULT_CLASS_STATES)
               .select_related("institution", "occupation", "item", "course_kind", "project")
               .annotate(trainees=Count("enrolments", distinct=True),
                         evaluated=Count("enrolments__evaluations__enrolment", distinct=True))
               .order_by("-end_date", "name"))
    listed = listing(request, classes, search=("name", "institution__name"), search_label=_("班级或机构名称"),
                     filters=[Filter("type", _("培训类型"), TrainingType.choices, lookup="training_type")],
                     sorts=[Sort("ended", _("结业日期从近到远"), ("-end_date", "name")),
                            Sort("oldest", _("结业日期从远到近"), ("end_date", "name"))])
    return render(request, "evaluation/class_list.html", {"classes": listed.rows, "listed": listed})


@dataclass
class _Line:
    enrolment: Enrolment
    evaluation: Evaluation | None
    rate: Decimal | None
    certificates: list[Certificate]
    passed: str
    score: str
    error: str = ""


def _lines(training: TrainingClass, posted: dict[str, str] | None = None,
           errors: dict[int, str] | None = None) -> list[_Line]:
    evaluations = latest_evaluations(training)
    rates = attendance_rates(training)
    # No record at all is "not recorded", not 0%.
    recorded = set(AttendanceRecord.objects.filter(enrolment__training_class=training)
                   .values_list("enrolment_id", flat=True).distinct())
    held: dict[int, list[Certificate]] = {}
    for certificate in Certificate.objects.filter(evaluation__enrolment__training_class=training).order_by("number"):
        held.setdefault(certificate.evaluation.enrolment_id, []).append(certificate)
    lines = []
    for enrolment in roster_of(training):
        evaluation = evaluations.get(enrolment.pk)
        passed = "" if evaluation is None else (PASS if evaluation.passed else FAIL)
        score = "" if evaluation is None or evaluation.score is None else f"{evaluation.score.normalize():f}"
        if posted is not None:
            passed, score = posted.get(f"passed_{enrolment.pk}", ""), posted.get(f"score_{enrolment.pk}", "")
        lines.append(_Line(enrolment, evaluation, rates.get(enrolment.pk) if enrolment.pk in recorded else None,
                           held.get(enrolment.pk, []), passed, score, (errors or {}).get(enrolment.pk, "")))
    return lines


def _results_context(request: HttpRequest, training: TrainingClass, **extra: Any) -> dict[str, Any]:
    user = request.user
    may_record = (user.role == Role.INSTITUTION and user.institution_id == training.institution_id
                  or user.role == Role.CITY_OFFICIAL and user.city_id == training.city_id)
    kind = class_certificate_kind(training)
    project_confirmed = training.project.effect_confirmed if training.project_id else None
    # The last result recorded for the class suggests the evaluation day and body for the next ones.
    last = Evaluation.objects.filter(enrolment__training_class=training).order_by("-created_at").first()
    context: dict[str, Any] = {
        "training": training, "may_record": may_record, "kind_label": CertificateKind(kind).label,
        "project_confirmed": project_confirmed, "today": today().isoformat(),
        "evaluated_on": (last.evaluated_on if last else today()).isoformat(),
        "evaluator": last.evaluator if last else "", "issuer": "", "issued_on": today().isoformat(),
        "other_title": "", "other_issuer": "", "row_errors": [], "form_errors": [], "issue_errors": [],
        "tabs": class_tabs(user, training, "assessment"),
    }
    context.update(extra)
    if "lines" not in context:
        context["lines"] = _lines(training)
    return context


def _training(request: HttpRequest, class_pk: int) -> TrainingClass:
    return get_scoped_or_404(
        TrainingClass.objects.select_related("institution", "city", "occupation", "item", "course_kind", "project"),
        request.user, pk=class_pk)


def _day(text: str, label: str, errors: list[str]) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors.append(f"{label}无效（格式如2025-10-20） / {label} is not a date (write it as 2025-10-20)")
        return None


@signed_in_as(RESULT_READERS, hide=True)
def class_results(request: HttpRequest, class_pk: int) -> HttpResponse:
    """`/evaluation/classes/<pk>/results/`: the roster with pass/fail and score; then issue the certificates."""
    training = _training(request, class_pk)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method != "POST":
        return render(request, "evaluation/class_results.html", _results_context(request, training))
    if request.POST.get("action") == "issue":
        return _issue(request, training)
    return _save_results(request, training)


def _save_results(request: HttpRequest, training: TrainingClass) -> HttpResponse:
    posted = {key: value for key, value in request.POST.items()}
    form_errors: list[str] = []
    evaluated_on = _day(posted.get("evaluated_on", ""), "评价日期", form_errors)
    evaluator = posted.get("evaluator", "").strip()
    row_errors: dict[int, str] = {}
    entries: list[ResultEntry] = []
    for enrolment in roster_of(training):
        passed, score_text = posted.get(f"passed_{enrolment.pk}", ""), posted.get(f"score_{enrolment.pk}", "")
        if passed not in ("", PASS, FAIL):
            row_errors[enrolment.pk] = "考核结果无效 / unknown result"
            continue
        if not passed:
            if score_text.strip():
                row_errors[enrolment.pk] = "填写成绩时须选择合格或不合格 / choose pass or fail for a score"
            continue
        try:
            entries.append(ResultEntry(enrolment, passed == PASS, parse_score(score_text)))
        except ValidationError as error:
            row_errors[enrolment.pk] = "；".join(error.messages)
    if not entries and not row_errors:
        form_errors.append("请至少填写一名学员的考核结果 / enter at least one trainee's result")
    if not form_errors and not row_errors and evaluated_on is not None:
        try:
            saved = record_class_results(request.user, training, entries, evaluated_on=evaluated_on,
                                         evaluator=evaluator)
        except ResultRowsRefused as refused:
            row_errors = {error.enrolment_id: error.message for error in refused.row_errors}
        except ValidationError as error:
            form_errors += error.messages
        else:
            messages.success(request, f"已保存{len(saved)}名学员的考核结果 / results of {len(saved)} trainees saved")
            return redirect("evaluation:class_results", class_pk=training.pk)
    context = _results_context(request, training, lines=_lines(training, posted, row_errors),
                               row_errors=list(row_errors.values()), form_errors=form_errors,
                               evaluated_on=posted.get("evaluated_on", ""), evaluator=evaluator)
    return render(request, "evaluation/class_results.html", context, status=422)


def _issue(request: HttpRequest, training: TrainingClass) -> HttpResponse:
    issue_errors: list[str] = []
    issued_on = _day(request.POST.get("issued_on", ""), "发证日期", issue_errors)
    fields = {name: request.POST.get(name, "").strip() for name in ("issuer", "other_title", "other_issuer")}
    if issued_on is not None:
        try:
            issued = issue_class_certificates(request.user, training, issued_on=issued_on, **fields)
        except ValidationError as error:
            issue_errors += error.messages
        else:
            messages.success(request, f"已发放{len(issued)}张证书 / {len(issued)} certificates issued")
            return redirect("evaluation:class_results", class_pk=training.pk)
    context = _results_context(request, training, issue_errors=issue_errors,
                               issued_on=request.POST.get("issued_on", ""), **fields)
    return render(request, "evaluation/class_results.html", context, status=422)


# ---------------------------------------------------------------- certificates imported from evaluation bodies


@signed_in_as(IMPORTERS, hide=True)
def certificate_import(request: HttpRequest) -> HttpResponse:
    """`/evaluation/certificates/import/`: upload the evaluation bodies' .xlsx; bad rows reported, good rows applied."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    context: dict[str, Any] = {"headers": [(header, HEADERS_EN[header]) for header in HEADERS]}
    if request.method != "POST":
        return render(request, "evaluation/certificate_import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["file_error"] = "请选择要上传的 .xlsx 文件 / choose an .xlsx file to upload"
        return render(request, "evaluation/certificate_import.html", context, status=422)
    try:
        rows = read_certificate_file(upload.name or "", upload.read(MAX_UPLOAD_BYTES + 1))
        outcome = import_certificates(request.user, rows, apply_good_rows=request.POST.get("apply_good_rows") == "on")
    except ValidationError as error:
        context["file_error"] = "；".join(error.messages)
        return render(request, "evaluation/certificate_import.html", context, status=422)
    context.update({"outcome": outcome, "file_name": upload.name,
                    "problems": [problem.as_dict() for problem in outcome.problems]})
    return render(request, "evaluation/certificate_import.html", context)


@require_safe
@signed_in_as(IMPORTERS, hide=True)
def certificate_import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        certificate_template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="certificate-import-template.xlsx"'
    return response
