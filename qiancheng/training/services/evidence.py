"""What the engine's rules read about a trainee at enrolment, each fact with the document that shows it.

A claim is decided on facts copied from its enrolment (RULES.md "Inputs"): the category (2.1a), whether
the person receives unemployment benefit (5.3, reading 3: its own fact, not the category), whether the
person holds a business licence (3.3), and for project training the link to the applying enterprise
(3.4e). An official who records such a fact records the document it rests on: its kind and number, and
its date. The three ways in (the roster .xlsx, the enrol-one page, the API) all pass through `checked`,
so they accept and refuse the same things with the same reasons.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError

from qiancheng.clock import today
from qiancheng.providers.services import Refusal
from qiancheng.providers.uscc import check_uscc


@dataclass(frozen=True)
class EnrolmentEvidence:
    """The facts beside the category and the relation, as typed; empty means "not stated"."""

    category_evidence: str = ""  # 2.1a: kind and number, e.g. "失业登记证 4501002025000123"
    category_evidence_date: dt.date | None = None
    receiving_unemployment_benefit: bool = False  # 5.3
    benefit_evidence: str = ""  # e.g. "失业保险金核定通知书 南人社失〔2025〕0123号"
    benefit_evidence_date: dt.date | None = None
    business_licence_uscc: str = ""  # 3.3: the licence's unified social credit code
    business_licence_issued_on: dt.date | None = None
    relation_evidence: str = ""  # 3.4e: e.g. "劳动合同 HT-2025-0456", "拟招用协议 ZY-2025-12"
    relation_evidence_date: dt.date | None = None

    @property
    def has_business_licence(self) -> bool:
        return bool(self.business_licence_uscc)

    def enrolment_fields(self) -> dict[str, Any]:
        """The Enrolment columns these facts fill."""
        return {name: getattr(self, name) for name in FIELD_LABELS}


# Field → (Chinese, English) names, as the messages, the form and the roster's notes call them.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "category_evidence": ("人员类别证明（种类及编号）", "category evidence (kind and number)"),
    "category_evidence_date": ("人员类别证明日期", "category evidence date"),
    "receiving_unemployment_benefit": ("领取失业保险金", "receiving unemployment benefit"),
    "benefit_evidence": ("失业保险金证明（种类及编号）", "unemployment-benefit evidence (kind and number)"),
    "benefit_evidence_date": ("失业保险金证明日期", "unemployment-benefit evidence date"),
    "business_licence_uscc": ("营业执照统一社会信用代码", "business licence USCC"),
    "business_licence_issued_on": ("营业执照发证日期", "business licence date of issue"),
    "relation_evidence": ("与申报企业关系证明（种类及编号）", "evidence of the link to the applicant (kind and number)"),
    "relation_evidence_date": ("关系证明日期", "date of the link's evidence"),
}
EVIDENCE_MAX_LENGTH = 128  # the longest column (category evidence allows 256, the others 128)


@dataclass(frozen=True)
class EvidenceProblem:
    """One refused fact: the field it is in and why."""

    field: str
    refusal: Refusal

    def message(self) -> str:
        zh, en = FIELD_LABELS[self.field]
        return f"{zh}：{self.refusal.zh} / {en}: {self.refusal.en}"


def _missing(field: str, because_zh: str, because_en: str) -> EvidenceProblem:
    return EvidenceProblem(field, Refusal(f"{field}_missing", f"须填写（{because_zh}）", f"required ({because_en})"))


def _dated_problems(text_field: str, date_field: str, evidence: EnrolmentEvidence) -> list[EvidenceProblem]:
    """A date needs the document it dates; no document is dated after today."""
    text, day = getattr(evidence, text_field), getattr(evidence, date_field)
    problems = []
    if len(text) > EVIDENCE_MAX_LENGTH:
        problems.append(EvidenceProblem(text_field, Refusal(f"{text_field}_too_long", f"超过{EVIDENCE_MAX_LENGTH}字",
                                                            f"longer than {EVIDENCE_MAX_LENGTH} characters")))
    if day is not None and not text:
        problems.append(_missing(text_field, "填写了日期，须写明证明的种类及编号", "a date is given: name the document"))
    if day is not None and day > today():
        problems.append(EvidenceProblem(date_field, Refusal(f"{date_field}_future", f"日期{day}晚于今天",
                                                            f"{day} is after today")))
    return problems


def _benefit_problems(evidence: EnrolmentEvidence) -> list[EvidenceProblem]:
    if not evidence.receiving_unemployment_benefit:
        if evidence.benefit_evidence or evidence.benefit_evidence_date:
            return [EvidenceProblem("receiving_unemployment_benefit", Refusal(
                "benefit_not_stated", "填写了失业保险金证明，但未选择“领取失业保险金”",
                "benefit evidence is given but receiving unemployment benefit is not stated"))]
        return []
    # 5.3: 领取失业保险金人员 — the fund pays on the benefit's own document, so both are asked.
    problems = [_missing(name, "领取失业保险金须有证明", "receiving benefit needs its evidence")
                for name in ("benefit_evidence", "benefit_evidence_date") if not getattr(evidence, name)]
    return problems + [problem for problem in _dated_problems("benefit_evidence", "benefit_evidence_date", evidence)
                       if problem.refusal.code != "benefit_evidence_missing"]


def _licence_problems(evidence: EnrolmentEvidence) -> list[EvidenceProblem]:
    if not evidence.business_licence_uscc:
        if evidence.business_licence_issued_on:
            return [_missing("business_licence_uscc", "填写了发证日期", "a date of issue is given")]
        return []
    check = check_uscc(evidence.business_licence_uscc)
    problems = [EvidenceProblem("business_licence_uscc", Refusal(f"uscc_{reason.code}", reason.zh, reason.en))
                for reason in check.errors]
    if evidence.business_licence_issued_on is None:
        problems.append(_missing("business_licence_issued_on", "营业执照须有发证日期", "a licence has its date of issue"))
    elif evidence.business_licence_issued_on > today():
        problems.append(EvidenceProblem("business_licence_issued_on", Refusal(
            "business_licence_issued_on_future", f"发证日期{evidence.business_licence_issued_on}晚于今天",
            f"issued on {evidence.business_licence_issued_on}, after today")))
    return problems


def evidence_problems(evidence: EnrolmentEvidence) -> list[EvidenceProblem]:
    """Every refused fact, in the order of FIELD_LABELS."""
    problems = (_dated_problems("category_evidence", "category_evidence_date", evidence)
                + _benefit_problems(evidence) + _licence_problems(evidence)
                + _dated_problems("relation_evidence", "relation_evidence_date", evidence))
    order = list(FIELD_LABELS)
    return sorted(problems, key=lambda problem: order.index(problem.field))


def cleaned(evidence: EnrolmentEvidence, *, is_project: bool) -> EnrolmentEvidence:
    """Texts trimmed, the USCC compacted; a class that is not project training keeps no relation, so it
    keeps no relation evidence either."""
    return replace(
        evidence,
        category_evidence=evidence.category_evidence.strip(), benefit_evidence=evidence.benefit_evidence.strip(),
        business_licence_uscc=re.sub(r"[\s-]", "", evidence.business_licence_uscc).upper(),
        relation_evidence=evidence.relation_evidence.strip() if is_project else "",
        relation_evidence_date=evidence.relation_evidence_date if is_project else None,
    )


def checked(evidence: EnrolmentEvidence, *, is_project: bool) -> EnrolmentEvidence:
    """The evidence cleaned, or ValidationError naming each bad field and why, in Chinese and English."""
    evidence = cleaned(evidence, is_project=is_project)
    problems = evidence_problems(evidence)
    if problems:
        raise ValidationError([ValidationError(problem.message(), code=problem.refusal.code) for problem in problems])
    return evidence


# ---------------------------------------------------------------- typed text (roster cells)

_YES = {"是", "有", "y", "yes", "true", "1", "领取", "领取中"}
_NO = {"", "否", "无", "n", "no", "false", "0", "未领取"}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ].*)?$")


def parse_yes_no(text: str | None) -> bool | None:
    """是/否 as typed in a sheet (None when it is neither)."""
    word = (text or "").strip().lower()
    return True if word in _YES else False if word in _NO else None


def parse_day(text: str | None) -> dt.date | None:
    """A date as typed: 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301; ValueError when unreadable."""
    word = (text or "").strip()
    if not word:
        return None
    if word.isdigit() and len(word) == 8:
        word = f"{word[:4]}-{word[4:6]}-{word[6:]}"
    found = _DATE.match(word)
    if found is None:
        raise ValueError(word)
    return dt.date(int(found[1]), int(found[2]), int(found[3]))

