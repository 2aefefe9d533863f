"""The engine's bilingual words, one language per page.

The engine (explain.py) writes its amount steps for the command line in both languages ("合计 total 1800.00",
"第5.2条(二)：… / clause 5.2b: …"). A page shows them in its own language only: a "中文 / English" step is cut
at its slash, and the few paired phrases are kept in one language. A standard's source that is not yet
confirmed by the department reads "本地标准待核实" ("local standard to be confirmed"), never the file's
"PLACEHOLDER — …" note.
"""

from __future__ import annotations

import re

UNCONFIRMED_ZH = "本地标准待核实"
UNCONFIRMED_EN = "local standard to be confirmed"
UNCONFIRMED_MARKS = ("to be confirmed", "placeholder", "待自治区人社厅确认", "待人社厅确认")
HAN = re.compile(r"[\u4e00-\u9fff]")

# (Chinese, English) pairs the engine writes side by side as "中文 English".
PAIRS: tuple[tuple[str, str], ...] = (
    ("第4.2条人工智能职业上浮", "AI uplift"),
    ("四舍五入到分", "rounded half up to the fen"),
    ("就业补贴", "employment subsidy"),
    ("有效期", "valid"),
    ("来源", "source"),
    ("标准", "standard"),
    ("合计", "total"),
    ("城市", "city"),
    ("长期", "open"),
    ("未满足", "not met"),
    ("满足", "met"),
    ("本批已受理的申请", "accepted batch claim"),
    ("历史申请", "history claim"),
    ("技能提升补贴", "skill-upgrade subsidy"),
    ("证书", "certificate"),
    ("黑名单", "blacklist"),
    ("机构", "institution"),
    ("结束", "ended"),
    ("状态", "status"),
    ("至今", "open"),
    ("记于另一身份证号", "held under the other ID number"),  # funding.services.stored_explain
)


def is_unconfirmed(source: str) -> bool:
    """Whether a parameter's source says the department has not confirmed the value yet."""
    lowered = (source or "").lower()
    return any(mark in lowered for mark in UNCONFIRMED_MARKS)


def _source_words(step: str, english: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        source = match.group(2)
        if is_unconfirmed(source):
            source = UNCONFIRMED_EN if english else UNCONFIRMED_ZH
        return f"{match.group(1)}{source}{match.group(3)}"

    return re.sub(r"(来源 source: )(.*?)(）$)", replace, step)


def one_language(step: str, english: bool) -> str:
    """An engine step in the page's language only."""
    step = _source_words(step, english)
    if " / " in step:
        head, _, tail = step.partition(" / ")
        if HAN.search(head) and not HAN.search(tail):
            return tail if english else head
    for zh, en in PAIRS:
        step = step.replace(f"{zh} {en}", en if english else zh)
    step = re.sub(r"第(\d+)级 level \d+", r"level \1" if english else r"第\1级", step)
    if not english:
        step = step.replace(" 元", "元")
    else:
        step = step.replace(" 元", " yuan").replace("元", " yuan")
    return step


# "本地做法 local practice (3.6 gives no figures)": a Chinese phrase, then its English and a note.
_PAIRED_SOURCE = re.compile(r"^([^A-Za-z]*[\u4e00-\u9fff][^A-Za-z]*?)\s+([A-Za-z].*)$")
# "plan clause 4.2 (named in the plan): 将人工智能训练师…": the plan's clause, then its Chinese words.
_PLAN_CLAUSE = re.compile(r"^plan clause (\w+(?:\.\w+)?)\b[^:]*(?::\s*(.*))?$")


def source_words(source: str, english: bool) -> str:
    """Where a parameter comes from, in the page's language only.

    An unconfirmed source reads "本地标准待核实" ("local standard to be confirmed"); "本地做法 local practice
    (…)" reads "本地做法" or "local practice (…)"; "plan clause 4.2 …: 原文" reads "行动计划四（二）：原文" or
    "the plan, clause 4.2"."""
    from qiancheng.policy.plan_text import citation_zh

    source = (source or "").strip()
    if not source:
        return ""
    if is_unconfirmed(source):
        return UNCONFIRMED_EN if english else UNCONFIRMED_ZH
    plan = _PLAN_CLAUSE.match(source)
    if plan:
        clause, words = plan.group(1), (plan.group(2) or "").strip()
        if english:
            return f"the plan, clause {clause}"
        cited = f"行动计划{citation_zh(clause) or clause}"
        return f"{cited}：{words}" if words and HAN.search(words) else cited
    paired = _PAIRED_SOURCE.match(source)
    if paired:
        return paired.group(2) if english else paired.group(1).strip()
    return one_language(source, english)


def problem_in_language(problem: str, english: bool) -> str:
    """An exchange-format problem ("claims: 第1条记录 / row 1: 字段 x：缺少必填值 / field 'x': a value is
    required") in the page's language only.

    The engine writes each problem as "prefix: 中文1 / English1: 中文2 / English2 …": every " / " ends a
    Chinese part, and the English after it runs to its first ": " (or the end), where the next Chinese part
    begins. A problem without that shape (an exception's own words) is kept as it is."""
    segments = problem.split(" / ")
    if len(segments) < 2 or not HAN.search(segments[0]):
        return problem
    first = segments[0]
    start = HAN.search(first).start()  # type: ignore[union-attr]
    cut = first.rfind(": ", 0, start)
    prefix = first[: cut + 2] if cut >= 0 else first[:start]
    chinese, english_parts = [first[len(prefix):]], []
    for index, segment in enumerate(segments[1:], start=1):
        last = index == len(segments) - 1
        head, colon, tail = segment.partition(": ")
        if last or not colon or not HAN.search(tail):
            english_parts.append(segment)
            if not last:  # an English part with no Chinese after it: the shape is not the engine's
                return problem
        else:
            english_parts.append(head)
            chinese.append(tail)
    if english:
        return prefix + ": ".join(english_parts)
    return prefix + "：".join(chinese)
