"""The trainee's own record under /me/: classes, certificates, and what was paid for their training.

It gathers training, evaluation and funding for one person, so it lives in portal, the top layer (it
was people's, which sits below all three: docs/architecture.md, Layers). The URL names stay
`people:my_classes`, `people:my_certificates`, `people:my_payments` (`portal/my_record_urls.py`); the whole
lifelong record is `people:my_record` and its PDF `people:my_record_pdf` (`portal/lifelong_record.py`).
Every read goes through `scoped`, whose trainee rule reaches only the signed-in trainee's own person;
the pages refuse every other role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.evaluation.models import Certificate, Evaluation
from qiancheng.funding.models import PartyKind, Payment, PaymentStatus, SubsidyClaim
from qiancheng.people.masking import mask_bank_account
from qiancheng.portal.lifelong_record import LifelongRecord, own_record
from qiancheng.portal.record_pdf import record_pdf
from qiancheng.training.models import AttendanceRecord, Enrolment


def trainee_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users sign in first; any role but the trainee is refused (403): these pages are 'mine'."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role != Role.TRAINEE or request.user.person_id is None:
            raise PermissionDenied("仅学员本人可查看 / only the trainee may see this page")
        return view(request, *args, **kwargs)

    return login_required(guarded)


@dataclass(frozen=True)
class MyClass:
    enrolment: Enrolment
    attendance_rate: Decimal | None
    evaluation: Evaluation | None


@require_safe
@trainee_only
def my_classes(request: HttpRequest) -> HttpResponse:
    """`/me/classes/`: each class with its dates, institution, my attendance rate and my result."""
    user = request.user
    enrolments = (scoped(Enrolment, user)
                  .select_related("training_class__institution", "training_class__occupation",
                                  "training_class__item", "training_class__course_kind", "training_class__project")
                  .annotate(attended=Sum("attendance__hours", filter=Q(attendance__present=True)))
                  .order_by("-training_class__start_date"))
    evaluations: dict[int, Evaluation] = {}
    for evaluation in scoped(Evaluation, user).order_by("enrolment_id", "-evaluated_on"):
        evaluations.setdefault(evaluation.enrolment_id, evaluation)
    # Whether any attendance was recorded at all: no record is "not recorded", not 0%.
    recorded = set(scoped(AttendanceRecord, user).values_list("enrolment_id", flat=True).distinct())
    rows = []
    for enrolment in enrolments:
        hours = enrolment.training_class.class_hours
        rate = None
        if enrolment.pk in recorded and hours:
            rate = min(Decimal(enrolment.attended or 0) / Decimal(hours), Decimal(1)) * 100
        rows.append(MyClass(enrolment, rate.quantize(Decimal("1")) if rate is not None else None,
                            evaluations.get(enrolment.pk)))
    return render(request, "portal/me/my_classes.html", {"rows": rows})


@require_safe
@trainee_only
def my_certificates(request: HttpRequest) -> HttpResponse:
    """`/me/certificates/`: my certificates, issued here or imported, with the PDF and the public verify page."""
    certificates = (scoped(Certificate, request.user)
                    .select_related("occupation", "item", "course_kind", "project").order_by("-issued_on", "number"))
    return render(request, "portal/me/my_certificates.html", {"certificates": certificates})


@dataclass(frozen=True)
class MyClaim:
    claim: SubsidyClaim
    payee: str
    payments: list[Payment]


def _payee(claim: SubsidyClaim) -> str:
    """Who was (or will be) paid: the claimant (3.6 谁垫付、谁申领), its code masked; "本人" for the trainee."""
    if claim.claimant == PartyKind.INDIVIDUAL:
        return _("本人")
    label = str(PartyKind(claim.claimant).label) if claim.claimant else "—"
    name = claim.institution.name if claim.claimant == PartyKind.INSTITUTION and claim.institution_id else ""
    masked = mask_bank_account(claim.claimant_ref) if claim.claimant_ref else ""
    return " ".join(part for part in (label, name, f"（{masked}）" if masked else "") if part)


@require_safe
@trainee_only
def my_payments(request: HttpRequest) -> HttpResponse:
    """`/me/payments/`: the subsidy claims about my training: status, amount, fund, and who was paid."""
    user = request.user
    payments = scoped(Payment, user).order_by("-paid_at")
    claims = (scoped(SubsidyClaim, user)
              .select_related("enrolment__training_class", "institution", "occupation", "item", "course_kind")
              .prefetch_related(Prefetch("payments", queryset=payments, to_attr="my_payments"))
              .order_by("-end_date", "number"))
    rows = [MyClaim(claim, _payee(claim), claim.my_payments) for claim in claims]
    paid = sum((payment.amount for row in rows for payment in row.payments if payment.status == PaymentStatus.PAID),
               Decimal("0"))
    return render(request, "portal/me/my_payments.html", {"rows": rows, "paid_total": paid})


@require_safe
@trainee_only
def my_lifelong_record(request: HttpRequest) -> HttpResponse:
    """`/me/record/`: my lifelong record (1e): trainings, certificates, subsidies, proofs, what is left (3.5)."""
    record = own_record(request.user)
    return render(request, "portal/record.html", {"record": record, "own": True,
                                                  "pdf_url": reverse("people:my_record_pdf")})


@require_safe
@trainee_only
def my_lifelong_record_pdf(request: HttpRequest) -> HttpResponse:
    """`/me/record.pdf`: the same record as a PDF."""
    return record_pdf_response(own_record(request.user))


def record_pdf_response(record: LifelongRecord) -> HttpResponse:
    response = HttpResponse(record_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="record-{record.generated_on.isoformat()}.pdf"'
    return response
