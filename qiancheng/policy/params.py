"""Dated parameters: the standards, the AI list and uplifts that a decision needs.

Two sources give the same `ParamSet`: the exchange form (one JSON object, EXCHANGE.md (c)), which is
the complete set of a run, and the product's packaged YAML files in `parameters/`, where every value
carries its source and the date it was last checked. Loading refuses what the plan forbids (an AI
uplift above 20%, 4.2) and what would make a decision ambiguous (overlapping periods).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from qiancheng.policy.vocabulary import COURSE_KINDS, FUNDS, TRAINING_TYPES

PACKAGED_DIR = Path(__file__).parent / "parameters"
# 4.2: 人工智能职业培训补贴标准可上浮不超过20%.
MAX_AI_UPLIFT = Decimal("0.20")
UI_KEY = "unemployment_insurance"


class ParameterError(Exception):
    """A parameter file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Standard:
    """One dated amount: a training-subsidy standard (5.1) or the UI training standard (5.3)."""

    training_type: str  # one of TRAINING_TYPES, or UI_KEY for the unemployment-insurance standard
    level: int | None
    course_kind: str | None
    amount: Decimal
    valid_from: dt.date
    valid_to: dt.date | None
    source: str = ""
    last_checked: dt.date | None = None
    entry: str = ""  # where it was read, for messages: "training_standards.yaml: entries[3]"

    @property
    def key(self) -> str:
        """The join key of a claim frame: type plus level or course kind."""
        return standard_key(self.training_type, self.level, self.course_kind)

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def standard_key(training_type: str, level: int | None, course_kind: str | None) -> str:
    if training_type == "occupational":
        return f"occupational:{level}"
    if training_type == "entrepreneurship":
        return f"entrepreneurship:{course_kind}"
    return training_type


@dataclass(frozen=True)
class ParamSet:
    standards: tuple[Standard, ...] = ()
    ui_standards: tuple[Standard, ...] = ()
    ai_occupations: frozenset[str] = frozenset()
    ai_uplift: dict[str, Decimal] = field(default_factory=dict)
    as_of: dt.date | None = None
    origin: str = ""
    # The plan's own figures (28 hours, 600 + 200, three months, the funds per type): not part of the
    # exchange form (EXCHANGE.md (c)), so a set loaded from one takes the programme's figures in force.
    plan: PlanFigures = field(default_factory=lambda: plan_figures())

    def to_exchange(self) -> dict:
        """The exchange JSON form (EXCHANGE.md (c)), which fully reproduces a run."""
        return {
            "as_of_date": self.as_of.isoformat() if self.as_of else None,
            "standards": [_standard_json(s) for s in self.standards],
            "unemployment_insurance_standards": [_standard_json(s) for s in self.ui_standards],
            "ai_occupations": sorted(self.ai_occupations),
            "ai_uplift": {code: str(value) for code, value in sorted(self.ai_uplift.items())},
        }

    @property
    def id(self) -> str:
        """A content hash: two runs with the same id used exactly the same parameters."""
        content = {**self.to_exchange(), "plan_figures": self.plan.to_json()}
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def uplift_for(self, city_code: str) -> Decimal:
        """RULES reading 9: a county code takes its prefecture's uplift; an unlisted city has 0."""
        return self.ai_uplift.get(city_code[:4] + "00", Decimal("0"))


def _standard_json(standard: Standard) -> dict:
    out: dict = {"training_type": standard.training_type} if standard.training_type != UI_KEY else {}
    if standard.level is not None:
        out["level"] = standard.level
    if standard.course_kind is not None:
        out["course_kind"] = standard.course_kind
    out |= {
        "amount": str(standard.amount),
        "valid_from": standard.valid_from.isoformat(),
        "valid_to": standard.valid_to.isoformat() if standard.valid_to else None,
        "source": standard.source,
    }
    return out


# ---------------------------------------------------------------- the exchange form

def load_exchange_params(path: Path) -> ParamSet:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ParameterError(f"{path}: 文件不存在 / file not found") from exc
    try:
        obj = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise ParameterError(f"{path}: 不是合法JSON / not valid JSON: {exc}") from exc
    return params_from_exchange(obj, str(path))


def params_from_exchange(obj: object, label: str) -> ParamSet:
    """A complete parameter set: a section the object omits is empty (EXCHANGE.md (c))."""
    if not isinstance(obj, dict):
        raise ParameterError(f"{label}: 参数须为JSON对象 / parameters must be one JSON object")
    as_of = _date(obj.get("as_of_date"), f"{label}: as_of_date", optional=True)
    standards = tuple(
        _standard(entry, f"{label}: standards[{i}]", ui=False) for i, entry in enumerate(_list(obj, "standards", label))
    )
    ui = tuple(
        _standard(entry, f"{label}: unemployment_insurance_standards[{i}]", ui=True)
        for i, entry in enumerate(_list(obj, "unemployment_insurance_standards", label))
    )
    occupations = _list(obj, "ai_occupations", label)
    for i, code in enumerate(occupations):
        if not isinstance(code, str) or not code:
            raise ParameterError(f"{label}: ai_occupations[{i}]: 职业代码须为文本 / occupation code must be text")
    uplift = _uplifts(obj.get("ai_uplift") or {}, f"{label}: ai_uplift")
    params = ParamSet(standards, ui, frozenset(occupations), uplift, as_of, label)
    check_no_overlap(params)
    return params


def _list(obj: dict, key: str, label: str) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParameterError(f"{label}: {key} 须为列表 / {key} must be a list")
    return value


def _standard(entry: object, where: str, ui: bool) -> Standard:
    if not isinstance(entry, dict):
        raise ParameterError(f"{where}: 须为对象 / must be an object")
    if ui:
        training_type, level, course_kind = UI_KEY, None, None
    else:
        training_type = entry.get("training_type")
        if training_type not in TRAINING_TYPES:
            raise ParameterError(f"{where}: training_type 须为 {', '.join(TRAINING_TYPES)} 之一 / "
                                 f"training_type must be one of them, got {training_type!r}")
        level = entry.get("level") if training_type == "occupational" else None
        course_kind = entry.get("course_kind") if training_type == "entrepreneurship" else None
        if training_type == "occupational" and (not isinstance(level, int) or isinstance(level, bool)
                                                 or not 1 <= level <= 5):
            raise ParameterError(f"{where}: level 须为1-5的整数 / level must be a whole number 1-5, got {level!r}")
        if training_type == "entrepreneurship" and course_kind not in COURSE_KINDS:
            raise ParameterError(f"{where}: course_kind 须为 {', '.join(COURSE_KINDS)} 之一 / "
                                 f"course_kind must be one of them, got {course_kind!r}")
    amount = _decimal(entry.get("amount"), f"{where}: amount")
    if amount < 0:
        raise ParameterError(f"{where}: amount 不得为负 / amount must not be negative, got {amount}")
    valid_from = _date(entry.get("valid_from"), f"{where}: valid_from")
    valid_to = _date(entry.get("valid_to"), f"{where}: valid_to", optional=True)
    if valid_to is not None and valid_to < valid_from:
        raise ParameterError(f"{where}: valid_to 早于 valid_from / valid_to is before valid_from")
    last_checked = _date(entry.get("last_checked"), f"{where}: last_checked", optional=True)
    return Standard(training_type, level, course_kind, amount, valid_from, valid_to,
                    str(entry.get("source") or ""), last_checked, where)


def _decimal(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ParameterError(f"{where}: 须为十进制数 / must be a decimal number, got {value!r}")
    if isinstance(value, float):  # only YAML can produce one; JSON numbers arrive as Decimal
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ParameterError(f"{where}: 须为十进制数 / must be a decimal number, got {value!r}") from exc
    if not number.is_finite():
        raise ParameterError(f"{where}: 须为有限的数 / must be a finite number, got {value!r}")
    return number


def _date(value: object, where: str, optional: bool = False) -> dt.date | None:
    if value is None:
        if optional:
            return None
        raise ParameterError(f"{where}: 缺少日期 / a date is required")
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # YAML dates
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        with contextlib.suppress(ValueError):  # not a real date: refused below with the entry named
            return dt.date.fromisoformat(value)
    raise ParameterError(f"{where}: 日期须为 YYYY-MM-DD / the date must be YYYY-MM-DD, got {value!r}")


def _uplifts(obj: object, where: str) -> dict[str, Decimal]:
    if not isinstance(obj, dict):
        raise ParameterError(f"{where}: 须为对象（城市代码→比例） / ai_uplift must map city codes to fractions")
    out: dict[str, Decimal] = {}
    for code, raw in obj.items():
        code = str(code)
        if len(code) != 6 or not code.isascii() or not code.isdigit() or not code.endswith("00"):
            raise ParameterError(f"{where}[{code}]: ai_uplift 的键须为以00结尾的6位城市代码 / ai_uplift keys must be "
                                 "6-digit prefecture codes ending in 00")
        value = _decimal(raw, f"{where}[{code}]")
        # 4.2: a city may raise the AI standard by at most 20%.
        if not Decimal("0") <= value <= MAX_AI_UPLIFT:
            raise ParameterError(f"{where}[{code}]: ai_uplift {value} 超出 0 至 0.20（第4.2条：上浮不超过20%） / "
                                 f"ai_uplift {value} is outside 0..0.20 (clause 4.2: at most 20%)")
        out[code] = value
    return out


def check_no_overlap(params: ParamSet) -> None:
    """Two entries with the same key must not both cover a day: a claim would have two standards."""
    for group in (params.standards, params.ui_standards):
        by_key: dict[str, list[Standard]] = {}
        for standard in group:
            by_key.setdefault(standard.key, []).append(standard)
        for entries in by_key.values():
            entries = sorted(entries, key=lambda s: s.valid_from)
            for earlier, later in zip(entries, entries[1:], strict=False):
                if earlier.valid_to is None or later.valid_from <= earlier.valid_to:
                    raise ParameterError(
                        f"{later.entry}: 与 {earlier.entry} 的有效期重叠 / validity period overlaps {earlier.entry} "
                        f"(key {later.key})"
                    )


# ---------------------------------------------------------------- the packaged YAML files

PROGRAMME_START = dt.date(2025, 1, 1)
PROGRAMME_END = dt.date(2027, 12, 31)


def load_packaged(directory: Path = PACKAGED_DIR) -> ParamSet:
    """The product's own parameters; every entry has a source and a last-checked date."""
    standards = _yaml_standards(directory / "training_standards.yaml", ui=False)
    ui = _yaml_standards(directory / "unemployment_insurance_standards.yaml", ui=True)
    occupations = [entry.code for entry in ai_occupation_entries(directory)]
    uplift_doc = _yaml(directory / "ai_uplift.yaml")
    uplift = _uplifts({e["city_code"]: e["uplift"] for e in uplift_doc.get("entries", [])},
                      f"{directory / 'ai_uplift.yaml'}: entries")
    plan = plan_figures() if directory == PACKAGED_DIR else load_plan_figures(directory)
    params = ParamSet(tuple(standards), tuple(ui), frozenset(occupations), uplift, None, "packaged", plan)
    check_no_overlap(params)
    _check_programme_covered(params)
    return params


PACKAGED_FILES = ("training_standards.yaml", "unemployment_insurance_standards.yaml", "ai_occupations.yaml",
                  "ai_uplift.yaml", "plan_figures.yaml")


def packaged_params() -> ParamSet:
    """`load_packaged()`, parsed once per process (parsing the YAML takes ~35 ms, as long as the engine takes to
    decide one claim) and parsed again when one of the packaged files changes (their size and modification
    time are compared on every call: a stat each, microseconds). The plan's figures are the ones in force on
    each call (`plan_figures_in_force`, a what-if). Each city's AI uplift recorded in the database is not
    here: the online path reads it on every decision (funding.services.decision_store.uplift_groups), so a
    change the province records applies to the next decision in every server process."""
    base = _parsed_packaged(_packaged_stamp())
    plan = plan_figures()
    return base if base.plan is plan else replace(base, plan=plan)


def _packaged_stamp() -> tuple[tuple[int, int], ...]:
    stamps = []
    for name in PACKAGED_FILES:
        try:
            stat = (PACKAGED_DIR / name).stat()
        except FileNotFoundError:
            stamps.append((-1, -1))  # load_packaged will say which file is missing
            continue
        stamps.append((stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


@functools.lru_cache(maxsize=1)
def _parsed_packaged(stamp: tuple[tuple[int, int], ...]) -> ParamSet:
    return load_packaged(PACKAGED_DIR)


@dataclass(frozen=True)
class AiOccupation:
    """One occupation of the 4.2 AI list, with why it is on it (plan / title / scope) and its source."""

    code: str
    name: str
    basis: str
    source: str
    last_checked: dt.date


def ai_occupation_entries(directory: Path = PACKAGED_DIR) -> tuple[AiOccupation, ...]:
    """The one AI occupation list (4.2): the engine's `ai_occupations` and the catalog's flag both read it."""
    path = directory / "ai_occupations.yaml"
    out = []
    for i, entry in enumerate(_yaml(path).get("entries", [])):
        where = f"{path.name}: entries[{i}]"
        if not entry.get("code") or not entry.get("name") or not entry.get("basis"):
            raise ParameterError(f"{where}: 须有 code、name 和 basis / code, name and basis are required")
        if not entry.get("source") or not entry.get("last_checked"):
            raise ParameterError(f"{where}: 每个参数须注明来源和核对日期 / every entry needs a source and last_checked")
        out.append(AiOccupation(str(entry["code"]), str(entry["name"]), str(entry["basis"]), str(entry["source"]),
                                _date(entry["last_checked"], f"{where}: last_checked")))
    return tuple(out)


def _yaml(path: Path) -> dict:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ParameterError(f"{path}: 文件不存在 / file not found") from exc


def _yaml_standards(path: Path, ui: bool) -> list[Standard]:
    out = []
    for i, entry in enumerate(_yaml(path).get("entries", [])):
        where = f"{path.name}: entries[{i}]"
        if not entry.get("source") or not entry.get("last_checked"):
            raise ParameterError(f"{where}: 每个参数须注明来源和核对日期 / every entry needs a source and last_checked")
        out.append(_standard(entry, where, ui=ui))
    return out


def _check_programme_covered(params: ParamSet) -> None:
    """A packaged set must give every standard an eligible claim can need, for the whole programme."""
    keys = [standard_key("occupational", level, None) for level in range(1, 6)]
    keys += [standard_key("entrepreneurship", None, kind) for kind in COURSE_KINDS]
    keys += ["special_ability", "project"]
    groups = {key: [s for s in params.standards if s.key == key] for key in keys}
    groups[UI_KEY] = list(params.ui_standards)
    for key, entries in groups.items():
        day = PROGRAMME_START
        for standard in sorted(entries, key=lambda s: s.valid_from):
            if standard.valid_from > day:
                break
            if standard.valid_to is None:
                day = PROGRAMME_END + dt.timedelta(days=1)
                break
            day = max(day, standard.valid_to + dt.timedelta(days=1))
        if day <= PROGRAMME_END:
            raise ParameterError(f"packaged parameters: no standard for {key} on {day} "
                                 f"(缺少 {key} 在 {day} 的补贴标准)")


def apply_override(base: ParamSet, obj: object, label: str) -> ParamSet:
    """A partial "what if": sections the override gives replace the base's (uplifts merge by city)."""
    if not isinstance(obj, dict):
        raise ParameterError(f"{label}: 参数须为JSON对象 / parameters must be one JSON object")
    given = params_from_exchange(obj, label)
    standards = base.standards
    if "standards" in obj:
        replaced = {s.key for s in given.standards}
        standards = tuple(s for s in base.standards if s.key not in replaced) + given.standards
    merged = ParamSet(
        standards=standards,
        ui_standards=given.ui_standards if "unemployment_insurance_standards" in obj else base.ui_standards,
        ai_occupations=given.ai_occupations if "ai_occupations" in obj else base.ai_occupations,
        ai_uplift={**base.ai_uplift, **given.ai_uplift},
        as_of=given.as_of or base.as_of,
        origin=f"{base.origin}+{label}",
        plan=base.plan,
    )
    check_no_overlap(merged)
    return merged


# ---------------------------------------------------------------- the plan's own figures

# The figures of `plan_figures.yaml`, and how an entry's value is read.
# The first five decide claims; the last three are the programme's portfolio measures (1a, 2.1b), which no
# claim's decision reads, so they stay out of a parameter set's id (`PlanFigures.to_json`).
DECISION_FIGURES = ("special_ability_min_hours", "special_account_training_amount",
                    "special_account_employment_amount", "employment_proof_months", "training_type_funds")
PORTFOLIO_FIGURES = ("annual_training_target", "programme_training_target", "key_group_min_share")
PLAN_FIGURES = DECISION_FIGURES + PORTFOLIO_FIGURES


@dataclass(frozen=True)
class DatedFigure:
    """One dated value of one of the plan's figures, with its clause and source."""

    name: str
    clause: str
    value: Any  # int (hours, months), Decimal (yuan) or a mapping training type -> funds (tuple)
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    last_checked: dt.date | None
    entry: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class PlanFigures:
    """Every figure of the plan the product applies, each stated once, as dated entries (plan_figures.yaml)."""

    entries: tuple[DatedFigure, ...]

    def periods(self, name: str) -> tuple[DatedFigure, ...]:
        """The entries of one figure, earliest first."""
        found = tuple(sorted((e for e in self.entries if e.name == name), key=lambda e: e.valid_from))
        if not found:
            raise ParameterError(f"plan_figures: 缺少 {name} / no entry for {name}")
        return found

    def entry_on(self, name: str, day: dt.date) -> DatedFigure:
        """The entry in force on `day`; a day before the first entry takes the first (policy-readings.md)."""
        periods = self.periods(name)
        for entry in periods:
            if entry.covers(day):
                return entry
        if day < periods[0].valid_from:
            return periods[0]
        raise ParameterError(f"plan_figures: {name} 在 {day} 无有效值 / {name} has no value on {day}")

    def on(self, name: str, day: dt.date) -> Any:
        return self.entry_on(name, day).value

    def min_hours(self, day: dt.date) -> int:
        """3.2: the fewest class hours a special-ability training may have, on `day`."""
        return int(self.on("special_ability_min_hours", day))

    def training_amount(self, day: dt.date) -> Decimal:
        """5.2b: the special account's amount per trainee who passed project training."""
        return Decimal(self.on("special_account_training_amount", day))

    def employment_amount(self, day: dt.date) -> Decimal:
        """5.2c: the special account's employment subsidy per trainee employed."""
        return Decimal(self.on("special_account_employment_amount", day))

    def proof_months(self, day: dt.date) -> int:
        """5.2c: calendar months after the end date from which a proof of employment earns the subsidy."""
        return int(self.on("employment_proof_months", day))

    def funds_for(self, training_type: str, day: dt.date) -> tuple[str, ...]:
        """5.1, 5.2a, 5.3: the funds that may pay this training type; the first is the plan's own route."""
        return tuple(self.on("training_type_funds", day)[training_type])

    def route_fund(self, training_type: str, day: dt.date) -> str:
        """The fund the plan names for this training type (what a claim form proposes)."""
        return self.funds_for(training_type, day)[0]

    def annual_target(self, year: int) -> int | None:
        """1a: the subsidised trainings (人次) the plan sets for `year` (the entry covering the whole year), or
        None for a year outside the plan (no first-entry fallback: a year before the plan has no target)."""
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        for entry in self.periods("annual_training_target"):
            if entry.covers(first) and entry.covers(last):
                return int(entry.value)
        return None

    def target_years(self) -> tuple[int, ...]:
        """The years the plan sets a target for (1a: 2025, 2026, 2027)."""
        years = set()
        for entry in self.periods("annual_training_target"):
            last = entry.valid_to or entry.valid_from
            years.update(year for year in range(entry.valid_from.year, last.year + 1)
                         if self.annual_target(year) is not None)
        return tuple(sorted(years))

    def programme_target(self, day: dt.date) -> int:
        """1a: the subsidised trainings of the whole programme (2025-2027), in force on `day`."""
        return int(self.on("programme_training_target", day))

    def key_group_min_share(self, day: dt.date) -> Decimal:
        """2.1b: the least share of key groups among subsidised trainings (a fraction: 0.70 = 70 %)."""
        return Decimal(self.on("key_group_min_share", day))

    def to_json(self) -> list[dict]:
        """The figures a decision reads (a parameter set's id hashes them; the portfolio measures decide nothing)."""
        return [{"name": e.name, "value": _json_value(e.value), "valid_from": e.valid_from.isoformat(),
                 "valid_to": e.valid_to.isoformat() if e.valid_to else None}
                for e in self.entries if e.name in DECISION_FIGURES]


def _json_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: list(funds) for key, funds in sorted(value.items())}
    return str(value)


def load_plan_figures(directory: Path = PACKAGED_DIR) -> PlanFigures:
    """`plan_figures.yaml`: every figure present, each entry with a value, a period, a source and a check date."""
    path = directory / "plan_figures.yaml"
    figures = _yaml(path).get("figures") or {}
    entries: list[DatedFigure] = []
    for name in PLAN_FIGURES:
        figure = figures.get(name)
        if not isinstance(figure, dict) or not figure.get("clause") or not figure.get("entries"):
            raise ParameterError(f"{path.name}: {name} 须有 clause 和 entries / {name} needs a clause and entries")
        for i, raw in enumerate(figure["entries"]):
            where = f"{path.name}: {name}.entries[{i}]"
            if not raw.get("source") or not raw.get("last_checked"):
                raise ParameterError(f"{where}: 每个参数须注明来源和核对日期 / every entry needs a source and last_checked")
            valid_from = _date(raw.get("valid_from"), f"{where}: valid_from")
            valid_to = _date(raw.get("valid_to"), f"{where}: valid_to", optional=True)
            assert valid_from is not None
            if valid_to is not None and valid_to < valid_from:
                raise ParameterError(f"{where}: valid_to 早于 valid_from / valid_to is before valid_from")
            entries.append(DatedFigure(name, str(figure["clause"]), _figure_value(name, raw.get("value"), where),
                                       valid_from, valid_to, str(raw["source"]),
                                       _date(raw["last_checked"], f"{where}: last_checked"), where))
    plan = PlanFigures(tuple(entries))
    for name in PLAN_FIGURES:
        periods = plan.periods(name)
        for earlier, later in zip(periods, periods[1:], strict=False):
            if earlier.valid_to is None or later.valid_from <= earlier.valid_to:
                raise ParameterError(f"{later.entry}: 与 {earlier.entry} 的有效期重叠 / validity period overlaps "
                                     f"{earlier.entry}")
    return plan


def _figure_value(name: str, value: object, where: str) -> Any:
    if name == "training_type_funds":
        if not isinstance(value, dict) or set(value) != set(TRAINING_TYPES):
            raise ParameterError(f"{where}: 须为每个培训类型列出资金 / must list the funds of every training type")
        out = {}
        for training_type, funds in value.items():
            if not isinstance(funds, list) or not funds or not set(funds) <= set(FUNDS):
                raise ParameterError(f"{where}: {training_type} 的资金须为 {', '.join(FUNDS)} 中的一个或多个 / "
                                     f"the funds of {training_type} must be one or more of them, got {funds!r}")
            out[training_type] = tuple(funds)
        return out
    if name == "key_group_min_share":
        share = _decimal(value, f"{where}: value")
        if not Decimal("0") <= share <= Decimal("1"):
            raise ParameterError(f"{where}: 须为0至1之间的比例 / must be a fraction from 0 to 1, got {share}")
        return share
    if name in ("annual_training_target", "programme_training_target"):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ParameterError(f"{where}: 须为正整数（人次）/ must be a whole number above 0, got {value!r}")
        return value
    if name in ("special_ability_min_hours", "employment_proof_months"):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ParameterError(f"{where}: 须为非负整数 / must be a whole number, not negative, got {value!r}")
        return value
    amount = _decimal(value, f"{where}: value")
    if amount < 0:
        raise ParameterError(f"{where}: 金额不得为负 / the amount must not be negative, got {amount}")
    return amount


@functools.cache
def _packaged_plan_figures() -> PlanFigures:
    return load_plan_figures(PACKAGED_DIR)


_plan_in_force: ContextVar[PlanFigures | None] = ContextVar("plan_figures_in_force", default=None)


def plan_figures() -> PlanFigures:
    """The plan's figures every consumer reads: the packaged file, or the set a what-if put in force."""
    return _plan_in_force.get() or _packaged_plan_figures()


@contextlib.contextmanager
def plan_figures_in_force(figures: PlanFigures) -> Iterator[PlanFigures]:
    """Decide, approve and generate under other figures (a what-if, or a test that a change reaches everyone)."""
    token = _plan_in_force.set(figures)
    try:
        yield figures
    finally:
        _plan_in_force.reset(token)
