"""Template tags of the money pages: a claim's decision in one sentence (funding.verdict), and where a
parameter comes from in the page's language (policy.words.source_words)."""

from __future__ import annotations

from typing import Any

from django import template

from qiancheng.funding.verdict import verdict_text
from qiancheng.policy.words import source_words
from qiancheng.web.language import page_is_english

register = template.Library()


@register.simple_tag
def verdict(claim: Any) -> str:
    """{% verdict claim %} → "不予补贴：考核不合格，未取得证书（行动计划五（一））。申领方可申诉一次。"."""
    return verdict_text(claim)


@register.filter
def source_in_language(source: str) -> str:
    """{{ terms.source|source_in_language }}: "本地做法 local practice (…)" → "本地做法" on a Chinese page."""
    return source_words(source, page_is_english())
