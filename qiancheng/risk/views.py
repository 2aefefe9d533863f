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
from qiancheng.web.listing import listing

READERS = {Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}
# Three lists on one page, each paged (50 a page) and searched by number on its own (web.listing's prefixes);
# the signal filter's fields and the other lists' searches are carried along.
SIGNALS, CANDIDATES, CASES = "s-", "c-", "k-"
KEPT = ("rule", "status", f"{SIGNALS}q", f"{CANDIDATES}q", f"{CASES}q")
SCAN_SESSION_KEY = "risk_scan_task"


def _scan_states() -> dict[str, str]:
    return {"READY": _("排队等待中"), "RUNNING": _("正在扫描"), "SUCCESSFUL": _("已完成"), "FAILED": _("扫描失败")}


def kept(prefix: str) -> list[str]:
    """The GET fields a list's pager and search box carry: the signal filter and the other lists' searches."""
    return [name for name in KEPT if not name.startswith(prefix)]


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
    listed_signals = listing(request, rows, search=("pk", "summary", "institution__name"),
                             search_label=_("按信号编号、内容或机构查找"), prefix=SIGNALS, keep=kept(SIGNALS))
    shown = listed_signals.rows
    listed_candidates = listing(request, scoped(LinkCandidate, request.user).filter(case__isnull=True)
                                .exclude(status=CandidateStatus.DISMISSED)
                                .select_related("person_a", "person_b", "link"),
                                search=("pk", "person_a__name", "person_b__name"),
                                search_label=_("按编号或姓名查找疑似同一人"), prefix=CANDIDATES, keep=kept(CANDIDATES))
    candidates = listed_candidates.rows
    listed_cases = listing(request, scoped(Case, request.user), search=("pk", "title"),
                           search_label=_("按案件编号或名称查找"), prefix=CASES, keep=kept(CASES))
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
        "candidates": candidates, "cases": listed_cases.rows, "form": form, "listed_signals": listed_signals,
        "listed_candidates": listed_candidates, "listed_cases": listed_cases,
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
