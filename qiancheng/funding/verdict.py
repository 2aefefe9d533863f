"""A claim's decision as one plain sentence, verdict and amount first, in the page's language.

"不予补贴：考核不合格，未取得证书（行动计划五（一））。可申诉一次。" — the pages (claim detail, review queue,
claim lists) and the API's claim detail (`verdict_text`) read it from `verdict_text`; the rule IDs, the
parameter set and the engine's trace stay behind a disclosure on the page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.policy.plan_text import citation_zh
from qiancheng.policy.rules import ALL_RULES

# Why a rule denied a claim, in words a claimant understands (the rule's clause is cited after it).
DENIAL_REASONS: dict[str, Promise] = {
    "data.id": gettext_lazy("身份证号码有误，请核对证件后重新录入"),
    "data.dates": gettext_lazy("培训日期或就业证明日期有误"),
    "5.1": gettext_lazy("考核不合格，未取得证书"),
    "5.2b": gettext_lazy("项目制培训考核不合格"),
    "3.2": gettext_lazy("专项职业能力培训课时不足"),
    "3.3": gettext_lazy("该创业培训课程须持有营业执照，未见记录"),
    "3.4e": gettext_lazy("学员不是申报企业的职工或拟招用人员"),
    "3.6": gettext_lazy("申领方不是垫付培训费用的一方"),
    "5.2a": gettext_lazy("专账资金只补贴组织项目制培训的机构"),
    "5.3": gettext_lazy("学员未领取失业保险金"),
    "6d": gettext_lazy("学员或培训机构在培训结束日处于黑名单"),
    "3.5a": gettext_lazy("该学员当年已享受过一次补贴性培训"),
    "3.5c": gettext_lazy("同一职业同一等级已享受过补贴"),
    "3.5d": gettext_lazy("已持有同一职业更高等级的证书"),
    "5.2d": gettext_lazy("已享受就业补助资金项目制培训补贴，不可重复享受"),
    "3.5b": gettext_lazy("已累计享受三次补贴性培训"),
}

STATUS_AFTER: dict[str, Promise] = {
    ClaimStatus.DRAFT: gettext_lazy("尚未提交。"),
    ClaimStatus.PENDING: gettext_lazy("待审核。"),
    ClaimStatus.APPROVED: gettext_lazy("已核准，待支付。"),
    ClaimStatus.PAID: gettext_lazy("已支付。"),
    ClaimStatus.WITHDRAWN: gettext_lazy("申领已撤回。"),
    ClaimStatus.RECOVERED: gettext_lazy("已支付的补贴已追回。"),
}


def amount_words(amount: Decimal | None) -> str:
    """1800 → "1,800.00元" (English "1,800.00 yuan")."""
    figure = f"{(amount or Decimal('0')):,.2f}"
    return _("%(amount)s元") % {"amount": figure}


def cite(clause: str) -> str:
    """Where a clause is in the plan: "行动计划五（一）" on a Chinese page, "the plan, clause 5.1" in English."""
    if not clause or clause == "data":
        return ""
    if (get_language() or "").startswith("zh"):
        return f"行动计划{citation_zh(clause)}"
    return _("行动计划第%(clause)s条") % {"clause": clause}


def denial_reason(rule_id: str) -> str:
    """The plain reason one denied rule gives, with its clause cited: "考核不合格，未取得证书（行动计划五（一））"."""
    rule = ALL_RULES.get(rule_id)
    reason = str(DENIAL_REASONS.get(rule_id, gettext_lazy("不符合补贴规则")))
    where = cite(rule.clause) if rule else ""
    return _("%(reason)s（%(where)s）") % {"reason": reason, "where": where} if where else reason


def then(sentence: str, following: str) -> str:
    """Two sentences one after the other: run together in Chinese, a space between them in English."""
    if not following:
        return sentence
    # Translators: two sentences in a row; English puts a space between them.
    return _("%(sentence)s%(following)s") % {"sentence": sentence, "following": following}


def _denied_rule_ids(claim: Any) -> list[str]:
    return [part.strip() for part in (claim.denied_by or "").split(";") if part.strip()]


def verdict_text(claim: SubsidyClaim, *, can_appeal: bool | None = None) -> str:
    """The claim's decision as one sentence, in the active language, verdict and amount first.

    `can_appeal`: whether to add the next step for a rejected claim (default: rejected and not yet appealed;
    a claim is appealed once, money.md "Appeal")."""
    if claim.status == ClaimStatus.REJECTED or claim.eligible is False:
        reasons = [denial_reason(rule_id) for rule_id in _denied_rule_ids(claim)]
        if not reasons and claim.review_note:
            reasons = [_("审核未通过：%(note)s") % {"note": claim.review_note.strip().rstrip("。")}]
        sentence = _("不予补贴：%(reasons)s。") % {
            "reasons": _("；").join(reasons) or _("审核未通过")}
        if can_appeal is None:
            can_appeal = claim.status == ClaimStatus.REJECTED and not claim.appeals.exists()
        return then(sentence, _("申领方可申诉一次。") if can_appeal else "")
    if claim.eligible is None:
        return _("尚未判定：等待按补贴规则判定。")
    parts = _("培训补贴%(training)s、就业补贴%(employment)s") % {
        "training": amount_words(claim.training_amount), "employment": amount_words(claim.employment_amount)}
    sentence = _("符合条件：补贴%(total)s（%(parts)s）。") % {
        "total": amount_words(claim.total_amount), "parts": parts}
    return then(sentence, str(STATUS_AFTER.get(claim.status, "")))
