"""4.2: one AI occupation list. The engine's parameter file is the source; the catalog flag derives from it."""

from __future__ import annotations

import pytest

from qiancheng.catalog import shipped
from qiancheng.catalog.models import Occupation
from qiancheng.catalog.services import load_catalog
from qiancheng.policy.params import ai_occupation_entries, load_packaged


def test_the_catalog_flags_exactly_the_occupations_the_engine_uplifts():
    engine = load_packaged().ai_occupations
    assert len(engine) == 6  # 人工智能训练师 (named by 4.2) + 人工智能工程技术人员 + four by the classification
    assert {o.code for o in shipped.occupations() if o.is_ai_shortage} == engine


@pytest.mark.django_db
def test_the_loaded_catalog_agrees_with_the_engine_list():
    load_catalog()
    assert set(Occupation.objects.filter(is_ai_shortage=True).values_list("code", flat=True)) == \
        load_packaged().ai_occupations


def test_every_ai_list_entry_says_why_and_from_where():
    entries = ai_occupation_entries()
    assert {e.basis for e in entries} <= {"plan", "title", "scope"}
    trainer = next(e for e in entries if e.code == "4-04-05-05")
    assert trainer.basis == "plan" and "4.2" in trainer.source
    flagged = {o.code: o for o in shipped.occupations() if o.is_ai_shortage}
    assert flagged["4-04-05-05"].ai_shortage_basis.startswith("plan: ")
