"""`/risk/`: the city's signals, link candidates and cases; an official decides candidates and opens cases
here (a case's own page is risk/case_views.py). Every change goes through risk.services and risk.cases (the API
calls the same functions)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.risk import cases, services, tasks
from qiancheng.risk.forms import DecideForm, OpenCaseForm, SignalFilter, UndoForm
from qiancheng.risk.models import CandidateStatus, Case, LinkCandidate, Signal, SignalStatus
from qiancheng.risk.signals import RULES

READERS = {Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}
SHOWN = 200
SCAN_SESSION_KEY = "risk_scan_task"


def _scan_states() -> dict[str, str]:
    return {"READY": _("排队等待中"), "RUNNING": _("正在扫描"), "SUCCESSFUL": _("已完成"), "FAILED": _("扫描失败")}


def _say(refusal: services.RiskRefused) -> str:
    return refusal.message_en if get_language() == "en" else refusal.message_zh


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_as(READERS, hide=True)
def home(request: HttpRequest) -> HttpResponse:
    chosen = SignalFilter(request.GET or None)
    rows = scoped(Signal, request.user).select_related("city", "institution")
    if chosen.is_valid():
        rows = rows.filter(rule=chosen.cleaned_data["rule"]) if chosen.cleaned_data["rule"] else rows
        rows = rows.filter(status=chosen.cleaned_data["status"]) if chosen.cleaned_data["status"] else rows
    shown = list(rows[:SHOWN])
    candidates = list(scoped(LinkCandidate, request.user).filter(case__isnull=True)
                      .exclude(status=CandidateStatus.DISMISSED)
                      .select_related("person_a", "person_b", "link")[:SHOWN])
    form = OpenCaseForm(request.POST or None,
                        signal_ids=[row.pk for row in shown if row.status == SignalStatus.OPEN],
                        candidate_ids=[row.pk for row in candidates])
    if request.method == "POST" and form.is_valid():
        try:
            case = cases.open_case(request.user, form.cleaned_data["title"], form.cleaned_data["signals"],
                                      form.cleaned_data["candidates"])
        except services.RiskRefused as refusal:
            messages.error(request, _say(refusal))
        else:
            messages.success(request, _("已立案：%(title)s") % {"title": case.title})
            return redirect("risk:case", case_id=case.pk)
    labels = {code: rule.label for code, rule in RULES.items()}
    scan_task = request.session.get(SCAN_SESSION_KEY, "")
    scan_state = tasks.scan_state(scan_task) if scan_task else None
    return render(request, "risk/home.html", {
        "scan_task": scan_task, "scan_state": _scan_states().get(scan_state or "", ""),
        "may_scan": request.user.role in tasks.MAY_SCAN,
        "filter": chosen, "signals": [(row, labels.get(row.rule, row.rule)) for row in shown],
        "candidates": candidates, "cases": scoped(Case, request.user)[:SHOWN], "form": form,
        "may_act": request.user.role == Role.CITY_OFFICIAL,
    })


@require_POST
@signed_in_as(READERS, hide=True)
def scan(request: HttpRequest) -> HttpResponse:
    """Queue a scan (the signal rules, then the linkage) and come back at once; the page shows its state."""
    try:
        request.session[SCAN_SESSION_KEY] = tasks.queue_scan(request.user)
    except services.RiskRefused as refusal:
        messages.error(request, _say(refusal))
    else:
        messages.success(request, _("已发起风险扫描：信号规则与同一人识别在后台运行。"))
    return redirect("risk:home")


@require_POST
@signed_in_as({Role.CITY_OFFICIAL}, hide=True)
def decide(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = get_scoped_or_404(LinkCandidate, request.user, pk=candidate_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择结论并说明理由。"))
        return redirect("risk:home")
    try:
        services.decide_candidate(request.user, candidate, form.cleaned_data["decision"] == "confirm",
                                  form.cleaned_data["reason"])
    except services.RiskRefused as refusal:
        messages.error(request, _say(refusal))
    else:
        messages.success(request, _("已记录结论。"))
    return redirect("risk:home")


@require_POST
@signed_in_as({Role.CITY_OFFICIAL}, hide=True)
def undo(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Undo a confirmed merge, by a decision with a reason; the service undoes the link and audits it."""
    candidate = get_scoped_or_404(LinkCandidate, request.user, pk=candidate_id)
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("撤销合并须说明理由。"))
        return redirect("risk:home")
    try:
        services.undo_candidate(request.user, candidate, form.cleaned_data["reason"])
    except services.RiskRefused as refusal:
        messages.error(request, _say(refusal))
    else:
        messages.success(request, _("已撤销合并：两条记录重新按两人计算。"))
    return redirect("risk:home")
