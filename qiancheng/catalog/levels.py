"""Skill levels (技能等级) of an occupation, written as a string of digits such as "54321" or "4321"."""

from __future__ import annotations

from itertools import combinations

from django.core.exceptions import ValidationError

# 3.1: 5 = 五级/初级工, 4 = 四级/中级工, 3 = 三级/高级工, 2 = 二级/技师, 1 = 一级/高级技师
SKILL_LEVELS = (5, 4, 3, 2, 1)

# Every set of levels written with distinct digits, highest number first ("" = not recorded).
LEVEL_SETS = tuple(
    "".join(str(level) for level in combo) for size in range(6) for combo in combinations(SKILL_LEVELS, size)
)


def validate_level_set(value: str) -> None:
    """Field validator: officials type levels as digits 5..1, each once, highest number first."""
    if value not in LEVEL_SETS:
        raise ValidationError(
            "技能等级应为 5 至 1 的不重复数字、从大到小，如 54321 或 4321；留空表示不限制 / "
            "levels must be distinct digits 5 to 1, highest first, e.g. 54321 or 4321; empty means not restricted",
            code="invalid_levels",
        )
