"""Pages about decisions: why a stored claim is decided so, and the parameters the engine decides with (mounted at /policy/)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import NOT_FOUND_MESSAGE, get_scoped_or_404
from qiancheng.clock import today
from qiancheng.funding.services.stored_explain import explain_stored_claim
from qiancheng.policy.exchange import ExchangeError
from qiancheng.policy.explain import Explanation
from qiancheng.policy.params import PACKAGED_DIR, UI_KEY, ParameterError, ParamSet, Standard, load_packaged
from qiancheng.policy.plan_text import clause_text_zh
from qiancheng.policy.words import is_unconfirmed, one_language, problem_in_language, source_words
from qiancheng.web.language import page_is_english
from qiancheng.web.templatetags.page_shell import day

OFFICIALS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
# Who may read a claim's explanation; the scope then narrows a city official to the city and an
# institution to its own claims.
CLAIM_READERS = OFFICIALS | {Role.INSTITUTION}
# A missing standard (engine.NoStandardError) is a ParameterError too.
ENGINE_REFUSALS = (ExchangeError, ParameterError)


def _redecidable_statuses() -> tuple[str, ...]:
    from qiancheng.funding.models import ClaimStatus

    # After approval the stored decision is the one money was reserved or paid on: it stays the record.
    return (ClaimStatus.DRAFT, ClaimStatus.PENDING)


def _signed_in_as(roles: frozenset[str], refusal: Callable[[], Exception]) -> Callable:
    """Anonymous users go to the login page; other roles get `refusal` (a 404 where existence must not leak)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles:
                raise refusal()
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorate


def _not_found() -> Exception:
    return Http404(NOT_FOUND_MESSAGE)


# ---------------------------------------------------------------- why this decision


# A column of the exchange format named in a problem: "字段 passed：" / "field 'passed':" (a code, not a word).
_FIELD_NAME = re.compile(r"(字段 |field &#x27;)(\w+)")


def _problem_html(problem: str, english: bool) -> SafeString:
    """One exchange-format problem in the page's language, its column names marked as code."""
    shown = escape(problem_in_language(problem, english))
    # `shown` is escaped: only the <code> marks added here are HTML.
    return mark_safe(_FIELD_NAME.sub(r"\1<code>\2</code>", shown))


@dataclass(frozen=True)
class Difference:
    label: str
    stored: str
    live: str


@require_safe
@_signed_in_as(CLAIM_READERS, _not_found)
def claim_decision(request: HttpRequest, number: str) -> HttpResponse:
    """`/policy/claims/<number>/`: the claim's facts, its stored decision and today's explanation."""
    from qiancheng.funding.models import SubsidyClaim
    from qiancheng.funding.verdict import verdict_text

    claim = get_scoped_or_404(
        SubsidyClaim.objects.select_related("person", "city", "institution", "occupation", "item", "course_kind"),
        request.user, number=number,
    )
    explanation: Explanation | None = None
    problems: list[str] = []
    try:
        explanation = explain_stored_claim(request.user, claim)
    except ExchangeError as refusal:
        problems = refusal.problems
    except ParameterError as refusal:
        problems = [str(refusal)]
    english = page_is_english()
    context = {
        "claim": claim,
        "facts": _claim_facts(claim),
        "explanation": explanation,
        "engine_facts": _engine_facts(explanation) if explanation else [],
        "verdict": verdict_text(claim),
        "explanation_day": dt.date.fromisoformat(explanation.as_of) if explanation else None,
        "rules": [
            {"rule": rule, "message": rule.message_en if english else rule.message_zh, "title": _(rule.title_zh),
             "clause_text": rule.clause_text if english else clause_text_zh(rule.clause),
             "causes": [(cause.record_id, one_language(cause.description, english)) for cause in rule.causes]}
            for rule in (explanation.rules if explanation else [])
        ],
        "amount_steps": [one_language(step, english) for step in (explanation.amount_steps if explanation else [])],
        "differences": _differences(claim, explanation) if explanation and claim.decided_at else [],
        "problems": [_problem_html(problem, english) for problem in problems],
        "can_decide": request.user.role in OFFICIALS,
        "decidable": claim.status in _redecidable_statuses(),
    }
    return render(request, "funding/claim_decision.html", context)


@require_POST
@_signed_in_as(CLAIM_READERS, _not_found)
def decide_again(request: HttpRequest, number: str) -> HttpResponse:
    """Decide this one claim again against today's history; the service records the decision and audits it."""
    from qiancheng.funding.models import SubsidyClaim
    from qiancheng.funding.services.redecision import redecide_claim
    from qiancheng.funding.services.refusal import FundingRefused

    # Scope first: a claim outside the user's city is a 404 before anything else is said about it.
    claim = get_scoped_or_404(SubsidyClaim, request.user, number=number)
    if request.user.role not in OFFICIALS:
        raise PermissionDenied(_("只有人社部门可以重新判定。"))
    try:
        redecide_claim(request.user, claim)
    except FundingRefused as refusal:
        if refusal.status == 403:
            raise PermissionDenied(refusal.message_zh) from refusal
        english = page_is_english()
        messages.error(request, refusal.message_en if english else refusal.message_zh)
        return redirect("policy:claim_decision", number=claim.number)
    messages.success(request, _("已重新判定，结果已保存。"))
    return redirect("policy:claim_decision", number=claim.number)


def _claim_facts(claim: Any) -> list[tuple[str, Any]]:
    subject = claim.occupation or claim.item or claim.course_kind or claim.project_id or ""
    level = claim.get_level_display() if claim.level else ""
    return [
        (_("申领编号"), claim.number),
        (_("状态"), claim.get_status_display()),
        (_("劳动者"), f"{claim.person.name} {claim.person.id_number_masked}"),
        (_("培训类型"), claim.get_training_type_display()),
        (_("培训内容"), f"{subject} {level}".strip()),
        (_("培训时间"), f"{day(claim.start_date) or '—'} – {day(claim.end_date)}"),
        (_("课时"), claim.class_hours if claim.class_hours is not None else "—"),
        (_("资金渠道"), claim.get_fund_display()),
        (_("城市"), claim.city.name if claim.city else "—"),
        (_("培训机构"), claim.institution.name if claim.institution else "—"),
    ]


# The keys of Explanation.facts; translated when shown.
ENGINE_FACT_LABELS = {
    "person": gettext_noop("身份证号（已遮蔽）"),
    "training": gettext_noop("判定所读的培训"),
    "dates": gettext_noop("判定所读的培训时间"),
    "city_code": gettext_noop("城市代码"),
    "institution_id": gettext_noop("机构代码"),
    "claimant": gettext_noop("申领人"),
    "advanced_by": gettext_noop("垫付人"),
    "order": gettext_noop("判定顺序"),
}


def _engine_facts(explanation: Explanation) -> list[tuple[str, str]]:
    return [(_(ENGINE_FACT_LABELS.get(key, key)), value) for key, value in explanation.facts.items()]


def _differences(claim: Any, live: Explanation) -> list[Difference]:
    """Where the stored decision and today's differ: the history (or the parameters) changed since."""
    yes, no = _("符合"), _("不符合")
    pairs = [
        (_("是否符合条件"), yes if claim.eligible else no, yes if live.eligible else no),
        (_("培训补贴"), str(claim.training_amount), str(Decimal(live.training_amount))),
        (_("就业补贴"), str(claim.employment_amount), str(Decimal(live.employment_amount))),
        (_("合计"), str(claim.total_amount), str(Decimal(live.total_amount))),
        (_("未通过的规则"), claim.denied_by or "—", live.denied_by or "—"),
    ]
    return [Difference(label, stored, now) for label, stored, now in pairs if stored != now]


# ---------------------------------------------------------------- parameters


@dataclass(frozen=True)
class StandardRow:
    standard: Standard
    label: str
    placeholder: bool
    source: str  # in the page's language (policy.words.source_words)


@require_safe
@_signed_in_as(OFFICIALS, PermissionDenied)
def parameters(request: HttpRequest) -> HttpResponse:
    """`/policy/parameters/`: the packaged parameters the engine decides with, each with its source."""
    try:
        params = load_packaged()
    except ParameterError as refusal:
        return render(request, "funding/parameters.html", {"problem": str(refusal)})
    return render(request, "funding/parameters.html", {
        "params": params,
        "standards": _standard_rows(params),
        "occupations": _ai_occupation_rows(params),
        "uplifts": _uplift_rows(params),
    })


def is_placeholder(source: str) -> bool:
    return is_unconfirmed(source)


def _standard_rows(params: ParamSet) -> list[StandardRow]:
    from qiancheng.catalog.models import CourseKind
    from qiancheng.catalog.vocabulary import TrainingType
    from qiancheng.funding.models import FundSource

    course_names = dict(CourseKind.objects.values_list("code", "name"))
    english = page_is_english()
    rows = []
    for standard in (*params.standards, *params.ui_standards):
        if standard.training_type == UI_KEY:
            label = str(FundSource.UNEMPLOYMENT_INSURANCE.label)
        else:
            label = str(TrainingType(standard.training_type).label)
        if standard.level is not None:
            label += " " + _("%(level)s级") % {"level": standard.level}
        if standard.course_kind is not None:
            label += f" {course_names.get(standard.course_kind, standard.course_kind)}"
        shown = source_words(standard.source, english)
        rows.append(StandardRow(standard, label, is_placeholder(standard.source), shown))
    return rows


def _ai_occupation_rows(params: ParamSet) -> list[dict[str, Any]]:
    """The codes the engine uses, with the name, source and date their file gives them (clause 4.2)."""
    from qiancheng.catalog.models import Occupation

    document = yaml.safe_load((PACKAGED_DIR / "ai_occupations.yaml").read_text(encoding="utf-8")) or {}
    noted = {str(entry["code"]): entry for entry in document.get("entries", [])}
    names = dict(Occupation.objects.filter(code__in=params.ai_occupations).values_list("code", "name"))
    english = page_is_english()
    rows = []
    for code in sorted(params.ai_occupations):
        entry = noted.get(code, {})
        source = str(entry.get("source", ""))
        rows.append({"code": code, "name": names.get(code) or entry.get("name", ""),
                     "source": source_words(source, english),
                     "last_checked": entry.get("last_checked"), "placeholder": is_placeholder(source)})
    return rows


def _uplift_rows(params: ParamSet) -> list[dict[str, Any]]:
    """Each city's uplift in force today: the province's recorded entries (4.2) over the packaged file's."""
    from qiancheng.catalog.models import City
    from qiancheng.funding.models import CityAiUplift

    in_force = dict(params.ai_uplift)
    recorded = CityAiUplift.objects.filter(valid_from__lte=today()).order_by("city_id", "valid_from")
    in_force |= dict(recorded.values_list("city_id", "uplift"))  # the latest entry of each city wins
    names = dict(City.objects.filter(code__in=in_force).values_list("code", "name"))
    return [{"city_code": code, "city": names.get(code, ""), "uplift": uplift, "percent": uplift * 100}
            for code, uplift in sorted(in_force.items())]
