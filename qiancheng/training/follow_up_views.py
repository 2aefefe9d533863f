"""`/classes/<pk>/follow-up/` (就业跟踪, 1e): the class's trainees with their employment status at 3, 6 and 12 months
after the class, recorded in bulk by the institution or the city; the shares employed above. The rules are
training/services/follow_up.py's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.clock import today
from qiancheng.training.follow_up_models import FOLLOW_UP_MONTHS, EmploymentFollowUp, EmploymentStatus
from qiancheng.training.models import TrainingClass
from qiancheng.training.services import follow_up
from qiancheng.web.language import in_page_language

READERS = (Role.INSTITUTION, Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL)


def _months(request: HttpRequest, training: TrainingClass) -> int:
    """The checkpoint asked, else the latest one already due (3 before the first is due)."""
    asked = request.POST.get("months") or request.GET.get("months")
    if asked in {str(each) for each in FOLLOW_UP_MONTHS}:
        return int(asked)
    due = [each for each in FOLLOW_UP_MONTHS if follow_up.checkpoint_due(training.end_date, each) <= today()]
    return due[-1] if due else FOLLOW_UP_MONTHS[0]


def _context(request: HttpRequest, training: TrainingClass, months: int, problems: list[Any]) -> dict[str, Any]:
    recorded = {row.enrolment_id: row for row in scoped(EmploymentFollowUp, request.user)
                .filter(enrolment__training_class=training, months=months)}
    rows = [(enrolment, recorded.get(enrolment.pk)) for enrolment in follow_up.followed_enrolments(training)]
    class_follow_ups = scoped(EmploymentFollowUp, request.user).filter(enrolment__training_class=training)
    shares = [(each, next(iter(follow_up.employment_shares("class", each, class_follow_ups)), None))
              for each in FOLLOW_UP_MONTHS]
    due = follow_up.checkpoint_due(training.end_date, months)
    try:
        follow_up.recorder_role(request.user, training)
        may_record = request.user.role != Role.TRAINEE and due <= today()
    except PermissionDenied:
        may_record = False
    return {"training": training, "months": months, "checkpoints": FOLLOW_UP_MONTHS, "rows": rows, "shares": shares,
            "due": due, "may_record": may_record, "statuses": EmploymentStatus.choices, "problems": problems,
            "today": today()}


@signed_in_as(READERS)
@require_http_methods(["GET", "HEAD", "POST"])
def class_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_scoped_or_404(TrainingClass.objects.select_related("institution", "city", "occupation"),
                                 request.user, pk=pk)
    months = _months(request, training)
    problems: list[Any] = []
    if request.method == "POST":
        try:
            observed = dt.date.fromisoformat(request.POST.get("observed_on", "")) if request.POST.get(
                "observed_on") else None
        except ValueError:
            observed = dt.date.min  # refused by the service as out of range, with its message
        rows = [follow_up.FollowUpInput(enrolment.pk, months, status,
                                        request.POST.get(f"employer_{enrolment.pk}", "")[:200], observed)
                for enrolment in follow_up.followed_enrolments(training)
                if (status := request.POST.get(f"status_{enrolment.pk}", ""))]
        try:
            changed = follow_up.record_follow_ups(request.user, training, rows)
        except follow_up.FollowUpsRefused as refusal:
            problems = [(each.row, in_page_language(each.zh, each.en)) for each in refusal.problems]
        else:
            messages.success(request, _("已登记 %(count)s 条就业跟踪。") % {"count": changed})
            return redirect(f"{request.path}?months={months}")
    return render(request, "training/class_follow_up.html", _context(request, training, months, problems),
                  status=422 if problems else 200)


urlpatterns = [path("<int:pk>/follow-up/", class_follow_up, name="class_follow_up")]
