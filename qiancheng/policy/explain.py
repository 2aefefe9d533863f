"""Why a claim was decided so: every rule checked, the clause behind it, the records that caused a
failure, and how the amount was computed. Built from the same engine run as the decision (trace on)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import polars as pl

from qiancheng.policy.batch import BatchInput
from qiancheng.policy.engine import FEN, DecisionRun, decide, proof_due_expr
from qiancheng.policy.exchange import ExchangeError
from qiancheng.policy.rules import ALL_RULES

c = pl.col
CLAUSES_FILE = Path(__file__).parent / "data" / "CLAUSES.md"
_SENSITIVE_ID = re.compile(r"^(\d{6})\d{8}(\d{3}[\dX])$")


@dataclass
class Cause:
    record_id: str
    source: str  # "history" or "batch"
    description: str


@dataclass
class RuleResult:
    rule_id: str
    clause: str
    title_zh: str
    passed: bool
    message_zh: str
    message_en: str
    clause_text: str
    causes: list[Cause] = field(default_factory=list)


@dataclass
class Explanation:
    claim_id: str
    eligible: bool
    training_amount: str
    employment_amount: str
    total_amount: str
    denied_by: str
    facts: dict[str, str]
    rules: list[RuleResult]
    amount_steps: list[str]
    params_id: str
    rule_version: str
    as_of: str

    def as_dict(self) -> dict:
        return asdict(self)


@cache
def clause_texts() -> dict[str, str]:
    """Clause ID → "What the plan says", read from the packaged copy of CLAUSES.md."""
    texts = {}
    for line in CLAUSES_FILE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"\d(\.\d)?[a-e]?", cells[0]):
            texts[cells[0]] = cells[1].replace("**", "")
    return texts


def mask_id(value: str) -> str:
    """450102********1234: an explanation never shows a whole ID number."""
    match = _SENSITIVE_ID.match(value or "")
    return f"{match.group(1)}********{match.group(2)[-4:]}" if match else (value[:6] + "…" if value else "")


def explain_claim(batch: BatchInput, claim_id: str) -> Explanation:
    if claim_id not in set(batch.claims["claim_id"].to_list()):
        raise ExchangeError([f"claim {claim_id!r} 不在申请文件中 / is not in the claims file"])
    run = decide(batch.claims, batch.history, batch.params, batch.as_of, trace=True)
    row = run.decisions.filter(c("claim_id") == claim_id).row(0, named=True)
    claim = batch.claims.filter(c("claim_id") == claim_id).row(0, named=True)
    denied = set(filter(None, row["denied_by"].split(";")))
    texts = clause_texts()
    rules = []
    for rule_id in sorted(ALL_RULES):
        rule = ALL_RULES[rule_id]
        refs = _refs(row, rule_id)
        rules.append(RuleResult(
            rule_id, rule.clause, rule.title_zh, rule_id not in denied, rule.message_zh, rule.message_en,
            texts.get(rule.clause, "GB 11643 / EXCHANGE.md" if rule.clause == "data" else ""),
            [_describe(ref, batch) for ref in refs] if rule_id in denied else [],
        ))
    return Explanation(
        claim_id, row["eligible"], row["training_amount"], row["employment_amount"], row["total_amount"],
        row["denied_by"], _facts(claim, row), rules, _amount_steps(claim, row, run, batch),
        run.params_id, run.rule_version, run.as_of.isoformat(),
    )


def _refs(row: dict, rule_id: str) -> list[str]:
    refs: list[str] = []
    for key in (f"h_refs_{rule_id}", f"b_refs_{rule_id}", f"refs_{rule_id}"):
        refs += row.get(key) or []
    return sorted(set(refs))


def _describe(ref: str, batch: BatchInput) -> Cause:
    record = batch.history.filter(c("record_id") == ref)
    if record.height:
        r = record.row(0, named=True)
        kind = r["record_type"]
        if kind == "claim":
            what = _training(r)
            text = f"历史申请 history claim {ref}: {what}, 结束 ended {r['end_date']}, 状态 status {r['status']}"
        elif kind in ("certificate", "skill_upgrade"):
            label = "证书 certificate" if kind == "certificate" else "技能提升补贴 skill-upgrade subsidy"
            text = f"{label} {ref}: {r['occupation_code']} 第{r['level']}级 level {r['level']}, {r['record_date']}"
        else:
            who = mask_id(r["id_number"]) if r["id_number"] else f"机构 institution {r['institution_id']}"
            text = f"黑名单 blacklist {ref}: {who}, {r['listed_from']} – {r['listed_until'] or '至今 open'}"
        return Cause(ref, "history", text)
    r = batch.claims.filter(c("claim_id") == ref).row(0, named=True)
    return Cause(ref, "batch", f"本批已受理的申请 accepted batch claim {ref}: {_training(r)}, 结束 ended {r['end_date']}")


def _training(r: dict) -> str:
    detail = {
        "occupational": f"{r.get('occupation_code')} 第{r.get('level')}级",
        "special_ability": f"{r.get('item_code')}",
        "entrepreneurship": f"{r.get('course_kind')}",
        "project": f"{r.get('project_id')}",
    }.get(r.get("training_type") or "", "")
    return f"{r.get('training_type')} {detail} ({r.get('fund')})".strip()


def _facts(claim: dict, row: dict) -> dict[str, str]:
    return {
        "person": mask_id(row["person"]),
        "training": _training(claim),
        "dates": f"{claim['start_date']} – {claim['end_date']}",
        "city_code": claim["city_code"],
        "institution_id": claim["institution_id"],
        "claimant": f"{claim['claimant']} {_shown(claim['claimant_id'])}",
        "advanced_by": f"{claim['advanced_by']} {_shown(claim['advanced_by_id'])}",
        "order": f"批次顺序第{row['seq'] + 1}位 / position {row['seq'] + 1} in (end date, claim ID) order",
    }


def _shown(identifier: str) -> str:
    """A party is a USCC or an ID number; an ID number is shown masked."""
    return mask_id(identifier) if _SENSITIVE_ID.match(identifier or "") else identifier


def _amount_steps(claim: dict, row: dict, run: DecisionRun, batch: BatchInput) -> list[str]:
    if not row["eligible"]:
        return ["不符合条件，金额为0.00 / denied: every amount is 0.00"]
    steps = []
    if claim["fund"] == "special_account":
        plan, end = batch.params.plan, claim["end_date"]
        amount = plan.training_amount(end)
        steps.append(f"第5.2条(二)：合格人员每人 {amount} 元 / clause 5.2b: {amount} per trainee who passed")
        proof = claim.get("employment_proof_date")
        if proof is not None:
            due = pl.select(proof_due_expr(plan, pl.lit(end))).item()
            months = plan.proof_months(end)
            verdict = "满足 met" if row["employment_earned"] else "未满足 not met"
            steps.append(f"第5.2条(三)：就业证明 {claim['employment_proof_kind']} 日期 {proof}，须不早于 {due}"
                         f"（结束后满{months}个月）：{verdict} / clause 5.2c: proof dated {proof}, due on or after {due} "
                         f"({months} calendar months after the end)")
        if row["employment_earned"]:
            steps.append(f"就业补贴 employment subsidy {plan.employment_amount(end)}")
    else:
        standards = [*batch.params.standards, *batch.params.ui_standards]
        standard = standards[row["standard_index"]]
        period = f"{standard.valid_from} – {standard.valid_to or '长期 open'}"
        steps.append(f"标准 standard {standard.key}: {standard.amount} 元（有效期 valid {period}；来源 source: "
                     f"{standard.source or '—'}）")
        uplift = Decimal(row["uplift"])
        if uplift:
            exact = standard.amount * (1 + uplift)
            steps.append(f"第4.2条人工智能职业上浮 AI uplift {uplift} (城市 city {claim['city_code'][:4]}00): "
                         f"{standard.amount} × (1 + {uplift}) = {exact}")
        else:
            exact = standard.amount
        steps.append(f"四舍五入到分 rounded half up to the fen: {exact} → {exact.quantize(FEN, rounding=ROUND_HALF_UP)}")
    steps.append(f"合计 total {row['total_amount']}")
    return steps


def render_text(explanation: Explanation, lang: str = "zh") -> str:
    e = explanation
    zh = lang == "zh"
    head = (f"申请 {e.claim_id}：{'符合补贴条件' if e.eligible else '不予补贴'}" if zh
            else f"Claim {e.claim_id}: {'eligible' if e.eligible else 'denied'}")
    lines = [head, ""]
    lines += [f"  {key}: {value}" for key, value in e.facts.items()]
    lines += ["", "逐条检查 / rule by rule:" if zh else "Rules checked:"]
    for rule in e.rules:
        mark = "✓" if rule.passed else "✗"
        lines.append(f"  {mark} {rule.rule_id} {rule.title_zh if zh else ''}".rstrip())
        if not rule.passed:
            lines.append(f"      {rule.message_zh if zh else rule.message_en}")
            if rule.clause_text:
                lines.append(f"      条款 clause {rule.clause}: {rule.clause_text}")
            lines += [f"      ← {cause.description}" for cause in rule.causes]
    lines += ["", "金额 / amount:" if zh else "Amount:"]
    lines += [f"  {step}" for step in e.amount_steps]
    lines += ["", f"参数 params {e.params_id} · 规则版本 rules {e.rule_version} · 判定日 as of {e.as_of}"]
    return "\n".join(lines)
