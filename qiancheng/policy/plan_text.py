"""The plan's own Chinese words for each clause, read from the packaged copy of the plan.

A Chinese page shows a clause as the plan says it (`clause_text_zh("3.5a")` → "上述4项培训，每人每年最多择一
享受1次，…"), cited as the plan numbers it (`citation_zh("5.1")` → "五（一）"). Each clause is located by a
phrase of the plan (ANCHORS) and shown as the whole sentence that holds it, so the text is always verbatim;
a test checks that every clause of CLAUSES.md finds its sentence.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

PLAN_FILE = Path(__file__).parent / "data" / "plan-2025.zh.txt"

# clause ID → (where the plan puts it, a phrase of its sentence). Several clauses share a sentence
# when the plan says them in one (3.5a–3.5d, 3.6).
ANCHORS: dict[str, tuple[str, str]] = {
    "1a": ("一", "实现开展补贴性职业技能培训60万人次以上"),
    "1b": ("一", "四位一体项目化培训模式"),
    "1c": ("一", "2025年为摸排调研与试点启动阶段"),
    "1d": ("一", "2026年为巩固提升与范围拓展阶段"),
    "1e": ("一", "2027年为全面实施与机制完善阶段"),
    "2.1a": ("二（一）", "有针对性地提供就业技能培训"),
    "2.1b": ("二（一）", "该类群体占补贴性职业技能培训总人数比重不少于70%"),
    "2.2": ("二（二）", "开展转岗培训、岗位技能提升培训"),
    "3.1": ("三（一）", "对于已颁布国家职业标准的职业（工种）"),
    "3.2": ("三（二）", "培训课时不低于28课时"),
    "3.3": ("三（三）", "对已领取营业执照的创业人员"),
    "3.4a": ("三（四）", "向当地人力资源社会保障部门申请培训项目"),
    "3.4b": ("三（四）", "形成本地动态调整的培训项目"),
    "3.4c": ("三（四）", "择优确定具有法定资质和良好信誉"),
    "3.4d": ("三（四）", "共同确认培训效果是否达标"),
    "3.4e": ("三（四）", "培训对象应为企业拟招聘对象或企业职工"),
    "3.5a": ("三", "每人每年最多择一享受1次"),
    "3.5b": ("三", "累计最多享受3次"),
    "3.5c": ("三", "同一职业（工种）同一等级不得重复享受"),
    "3.5d": ("三", "获得高等级证书的不得再申领"),
    "3.6": ("三", "谁垫付、谁申领"),
    "4.1": ("四（一）", "每年继续给予4个沿边临港产业园区各1000万元"),
    "4.2": ("四（二）", "最高不超过20%"),
    "4.3": ("四（三）", "大力开展广西工匠培育计划"),
    "4.4": ("四（四）", "聚焦服务保障“一老一小”"),
    "4.5": ("四（五）", "以数字经济、现代物流、金融服务"),
    "4.6": ("四（六）", "开展青年职业培训、宏志助航"),
    "5.1": ("五（一）", "用于职业（工种）技能培训、专项职业能力技能培训、创业培训项目"),
    "5.2a": ("五（二）1", "补贴对象：组织开展项目培训的机构"),
    "5.2b": ("五（二）3", "培训合格的可获得600元/人的培训补贴"),
    "5.2c": ("五（二）3", "可获得200元/人的训后就业补贴"),
    "5.2d": ("五（二）3", "不得与就业补助资金项目培训补贴重复享受"),
    "5.3": ("五（三）", "用于领取失业保险金人员开展职业培训项目"),
    "5.4": ("五（四）", "政府补一点、企业出一点、个人付一点"),
    "6a": ("六", "人社部门牵头负责培训政策制定"),
    "6b": ("六", "按“谁实施、谁负责”原则压实责任"),
    "6c": ("六", "凡补必进、不进不补"),
    "6d": ("六", "严禁虚假宣传、转包项目、骗取补贴等行为"),
}

_SENTENCE = re.compile(r"[^。；\n]*[。；]?")


@cache
def _plan() -> str:
    return PLAN_FILE.read_text(encoding="utf-8")


def citation_zh(clause: str) -> str:
    """Where the plan puts a clause, numbered as the plan numbers it: "5.1" → "五（一）"; "" when unknown."""
    return ANCHORS[clause][0] if clause in ANCHORS else ""


def clause_text_zh(clause: str) -> str:
    """The plan's sentence that holds the clause, verbatim (without the item's "（一）" heading); "" when the
    clause ID is not one of the plan's (the exchange-format rules, "data")."""
    if clause not in ANCHORS:
        return ""
    phrase = ANCHORS[clause][1]
    for line in _plan().splitlines():
        if phrase not in line:
            continue
        for sentence in _SENTENCE.findall(line):
            if phrase in sentence:
                return re.sub(r"^（[一二三四五六七八九十]+）|^\d．", "", sentence.strip()).strip()
    raise LookupError(f"clause {clause}: the phrase {phrase!r} is not in {PLAN_FILE.name}")
