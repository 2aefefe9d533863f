"""Linkage rows (the shape `risk.features.person_records` gives) for N people, with planted duplicates.

Used by the DuckDB-versus-Spark test and by bench/risk_spark_run.py. Deterministic for a seed. One person
in fifty is registered a second time under another number: the same phone and county, the name and birth
date as typed again (now and then one character or digit off), another last four of the number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from qiancheng.risk.features import name_fields

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒙韦覃黎陆莫农"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉建国志红梅小龙海波林峰宁"
COUNTIES = ("450102", "450103", "450105", "450107", "450202", "450203", "450204", "450305", "450403")


def _key(index: int) -> str:
    return hashlib.sha256(f"person-{index}".encode()).hexdigest()


def _name(chance: random.Random) -> str:
    return chance.choice(SURNAMES) + "".join(chance.choice(GIVEN) for _ in range(chance.choice((1, 2, 2))))


def _retyped(text: str, alphabet: str, chance: random.Random) -> str:
    """One character of `text` replaced by another of the alphabet."""
    at = chance.randrange(len(text))
    return text[:at] + chance.choice([ch for ch in alphabet if ch != text[at]]) + text[at + 1:]


def planted_rows(people: int, seed: int = 7, duplicate_share: float = 0.02) -> tuple[list[dict[str, Any]],
                                                                                        list[frozenset[str]]]:
    """The rows, and the true groups of rows that are one person (the planted duplicates)."""
    chance = random.Random(seed)
    start = dt.date(1965, 1, 1).toordinal()
    rows = []
    for index in range(people):
        name = _name(chance)
        rows.append({
            "unique_id": _key(index), **name_fields(name), "sex": chance.choice("12"),
            "birth_date": dt.date.fromordinal(start + chance.randrange(40 * 365)).isoformat(),
            "county_code": chance.choice(COUNTIES), "id_tail": f"{chance.randrange(10_000):04d}",
            "phone_hash": hashlib.sha256(f"phone-{index}".encode()).hexdigest() if chance.random() < 0.9 else None,
        })
    truth = []
    for number, original in enumerate(chance.sample(rows, int(people * duplicate_share))):
        twin = dict(original, unique_id=_key(people + number), id_tail=f"{chance.randrange(10_000):04d}")
        if chance.random() < 0.2:
            twin.update(name_fields(_retyped(twin["name"], GIVEN, chance)))
        if chance.random() < 0.2:
            twin["birth_date"] = _retyped_date(twin["birth_date"], chance)
        rows.append(twin)
        truth.append(frozenset({original["unique_id"], twin["unique_id"]}))
    chance.shuffle(rows)
    return rows, truth


def _retyped_date(iso: str, chance: random.Random) -> str:
    """The day's last digit typed wrong, still a real date (a day of 30 in a 30-day month: the day before)."""
    candidates = []
    for digit in "0123456789":
        try:
            candidates.append(dt.date.fromisoformat(iso[:-1] + digit).isoformat())
        except ValueError:
            continue
    others = [each for each in candidates if each != iso]
    if not others:
        return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()
    return chance.choice(others)
