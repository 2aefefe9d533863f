"""One language per page: a translatable message is Chinese, and its English lives in the .po file.

A msgid written "中文 / English" shows both languages on the Chinese page (and, untranslated, on the
English one too). Services' refusals are bilingual on purpose (the API carries both); what pages
translate is not."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "qiancheng"
HAN = r"[\u4e00-\u9fff]"
# `_("…中文… / English…")` in Python, `{% translate "…中文… / English…" %}` in templates.
BILINGUAL = re.compile(r'(?:_\(|translate )\s*"[^"\n]*' + HAN + r'[^"\n]*? / [A-Za-z][^"\n]*"')
# A choice label written "中文 English" (`X = "value", "已支付 Paid"`).
BILINGUAL_CHOICE = re.compile(r'^\s+[A-Z_0-9]+ = (?:"[^"]*"|-?\d+), "[^"\n]*' + HAN + r'[^"\n]*[A-Za-z]{2,}[^"\n]*"')


def test_no_page_message_carries_both_languages() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}"
             for path in [*ROOT.rglob("*.py"), *ROOT.rglob("*.html")] if "migrations" not in path.parts
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if BILINGUAL.search(line)]
    assert found == []


def test_no_choice_label_is_written_in_two_languages() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}"
             for path in ROOT.rglob("*.py") if "migrations" not in path.parts and "tests" not in path.parts
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if BILINGUAL_CHOICE.search(line)]
    assert found == []


@pytest.mark.django_db
def test_every_choice_label_reads_in_one_language() -> None:
    """Every model field's choices: Chinese on a Chinese page (no Latin word but a few acronyms), English on
    an English one (no Han character)."""
    from django.apps import apps

    from qiancheng.web.language import chinese, english

    latin = re.compile(r"[A-Za-z]{2,}")
    mixed_zh, mixed_en = [], []
    for model in apps.get_models():
        if not model.__module__.startswith("qiancheng."):
            continue
        for field in model._meta.get_fields():
            for _value, label in getattr(field, "choices", None) or []:
                zh, en = chinese(label), english(label)
                if set(latin.findall(zh)) - {"IP"}:
                    mixed_zh.append(f"{model.__name__}.{field.name}: {zh}")
                if re.search(HAN, en):
                    mixed_en.append(f"{model.__name__}.{field.name}: {en}")
    assert mixed_zh == [] and mixed_en == []


def test_every_clause_of_the_plan_has_its_chinese_sentence() -> None:
    from qiancheng.policy.explain import clause_texts
    from qiancheng.policy.plan_text import ANCHORS, PLAN_FILE, citation_zh, clause_text_zh

    plan = PLAN_FILE.read_text(encoding="utf-8")
    assert set(clause_texts()) <= set(ANCHORS)
    for clause in clause_texts():
        sentence = clause_text_zh(clause)
        assert sentence and sentence in plan and not re.search(r"[A-Za-z]{3,}", sentence), clause
    assert clause_text_zh("3.2").endswith("培训课时不低于28课时。")
    assert citation_zh("5.1") == "五（一）" and citation_zh("5.2b") == "五（二）3" and clause_text_zh("data") == ""


@pytest.mark.django_db
def test_a_verdict_is_one_sentence_in_the_page_language() -> None:
    from django.utils import translation

    from qiancheng.funding.models import ClaimStatus, SubsidyClaim
    from qiancheng.funding.verdict import verdict_text

    denied = SubsidyClaim(number="CL-X", status=ClaimStatus.PENDING, eligible=False, denied_by="5.1")
    with translation.override("zh-hans"):
        assert verdict_text(denied, can_appeal=False) == "不予补贴：考核不合格，未取得证书（行动计划五（一））。"
        assert verdict_text(denied, can_appeal=True).endswith("申领方可申诉一次。")
    with translation.override("en"):
        english = verdict_text(denied, can_appeal=True)
    assert english == ("No subsidy: did not pass the assessment, so no certificate (the plan, clause 5.1). "
                       "The claimant may appeal once.")
    eligible = SubsidyClaim(number="CL-Y", status=ClaimStatus.APPROVED, eligible=True,
                            training_amount=Decimal("1800"), employment_amount=Decimal("0"),
                            total_amount=Decimal("1800"))
    with translation.override("zh-hans"):
        assert verdict_text(eligible) == "符合条件：补贴1,800.00元（培训补贴1,800.00元、就业补贴0.00元）。已核准，待支付。"
    with translation.override("en"):
        assert not re.search(HAN, verdict_text(eligible))


def test_an_unconfirmed_standard_never_reads_placeholder() -> None:
    from qiancheng.policy.words import one_language

    step = ("标准 standard occupational.L5: 1500 元（有效期 valid 2023-01-01 – 长期 open；来源 source: "
            "to be confirmed by the department (待自治区人社厅确认): PLACEHOLDER — not found）")
    assert one_language(step, english=False) == "标准 occupational.L5: 1500元（有效期 2023-01-01 – 长期；来源: 本地标准待核实）"
    assert "PLACEHOLDER" not in one_language(step, english=True)
    assert "local standard to be confirmed" in one_language(step, english=True)
