"""What if the parameters were different (R4)? A province official drafts changes to the packaged parameters and
replays the decision engine over the stored claims of a period, once with the packaged parameters and once with
the draft, and reads what changes: money and people per city, fund and training type, and the claims that change
side. docs/what-if.md.

The replay is the offline run on live data. The claims and their history leave the database through the
stored-claim exporter (`funding.services.decision_store.stored_frames`: the exchange columns of
funding/models/columns.py, validated as an exchange file is), both runs are `policy.engine.decide`, and the
difference is `policy.compare.compare_runs`, the same function `qiancheng check --compare` prints. So the same
period written out as exchange files (`write_exchange_files`) and run through the command line gives the same
numbers (insight/tests/test_what_if.py holds them equal).

A draft decides nothing real: `ParameterDraft` rows are read by the replay only. The product has a dated path for
a city's AI uplift (funding.services.uplift, with the city's document) and the packaged YAML (a release) for the
rest; a draft is neither.

Which claims: the system's own claims (not imported history) whose training ended in the period and that were
filed and not withdrawn or recovered — pending, approved, paid, rejected. Each is decided as a batch against
everything else the database knows, exactly as a stored decision is. Baseline: the packaged parameters with each
city's recorded AI uplift in force on the period's last day.

The replay runs on the task queue (ADR 0005): `queue_replay` stores a `WhatIfReplay` (the period and the draft's
changes as they stand) and enqueues `run_replay`, so the page and the API answer at once with the replay's address;
the worker writes each stage as it finishes and then the result (`Replay.to_json`), which the page and the API read
back (`Replay.from_json`). A period of more than MAX_REPLAY_CLAIMS claims is refused with its count
(docs/what-if.md gives the measurement behind the bound).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City
from qiancheng.clock import today
from qiancheng.funding.models import CityAiUplift, ClaimOrigin, ClaimStatus, SubsidyClaim
from qiancheng.funding.services.decision_store import (
    open_id_numbers,
    stored_claim_records,
    stored_frames,
    stored_history_records,
    with_stored_uplift,
)
from qiancheng.insight.models import ParameterDraft, WhatIfReplay, WhatIfReplayStatus
from qiancheng.policy.compare import Comparison, compare_runs
from qiancheng.policy.engine import decide
from qiancheng.policy.exchange import ExchangeError
from qiancheng.policy.params import (
    MAX_AI_UPLIFT,
    UI_KEY,
    DatedFigure,
    ParameterError,
    ParamSet,
    Standard,
    check_no_overlap,
    load_packaged,
    standard_key,
)
from qiancheng.policy.vocabulary import COURSE_KINDS, FUNDS, TRAINING_TYPES
from qiancheng.web.task_queue import task_state

c = pl.col

# On the task queue a replay holds the period's claims and their persons' history in the worker's memory (the
# export, then two engine runs): measured at about 6.5 KiB and 0.8 ms a claim on PostgreSQL (docs/what-if.md), so
# this bound keeps one replay under about 1.8 GiB and 4 minutes on two shared cores — more than a year of Guangxi's
# claims (210,000 trainings). Beyond it, a shorter period.
MAX_REPLAY_CLAIMS = 250_000
MAX_CHANGES = 50
TITLE_MAX = 120
REPLAYED_STATUSES = (ClaimStatus.PENDING, ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.REJECTED)
EARLIEST = dt.date(2023, 1, 1)  # the packaged standards' first day
LATEST = dt.date(2099, 12, 31)
MAX_AMOUNT = Decimal("100000")
# What a change may touch. The plan's own figures a draft may move: the thresholds and the special account's
# amounts (plan_figures.yaml); their kind of value decides how the text is read.
CHANGE_KINDS = ("standard", "ui_standard", "ai_uplift", "plan_figure")
PLAN_FIGURES = {"special_ability_min_hours": "int", "employment_proof_months": "int",
                "special_account_training_amount": "money", "special_account_employment_amount": "money"}
EXCHANGE_CARRIES = ("standard", "ui_standard", "ai_uplift")  # what an exchange parameter file can say


class DraftRefused(ValueError):
    """A change, a period or a draft the what-if cannot take; zh and en say why."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.code, self.zh, self.en = code, zh, en


def _require_province(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.PROVINCE_OFFICIAL:
        raise PermissionDenied("只有自治区人社厅可以做参数测算 / only the province runs what-if replays")


# ---------------------------------------------------------------- the changes


def _day(value: Any, name: str, *, optional: bool = False) -> dt.date | None:
    if value in (None, "") and optional:
        return None
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DraftRefused("bad_date", f"{name}须为日期 YYYY-MM-DD", f"{name} must be a date YYYY-MM-DD") from exc
    if not EARLIEST <= day <= LATEST:
        raise DraftRefused("bad_date", f"{name}须在{EARLIEST}至{LATEST}之间", f"{name} must be {EARLIEST} to {LATEST}")
    return day


def _decimal(value: Any, name: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise DraftRefused("bad_number", f"{name}须为数字", f"{name} must be a number") from exc
    if not number.is_finite() or not low <= number <= high:
        raise DraftRefused("bad_number", f"{name}须在{low}至{high}之间", f"{name} must be from {low} to {high}")
    return number


def _period(change: dict[str, Any]) -> dict[str, str | None]:
    start = _day(change.get("valid_from"), "valid_from")
    end = _day(change.get("valid_to"), "valid_to", optional=True)
    assert start is not None
    if end is not None and end < start:
        raise DraftRefused("bad_period", "有效期止早于起", "valid_to is before valid_from")
    return {"valid_from": start.isoformat(), "valid_to": end.isoformat() if end else None}


def checked_change(change: Any) -> dict[str, Any]:
    """One change as a draft keeps it, or DraftRefused: every value read and bounded before it is stored."""
    if not isinstance(change, dict) or change.get("kind") not in CHANGE_KINDS:
        raise DraftRefused("bad_kind", f"变更类型须为 {', '.join(CHANGE_KINDS)} 之一",
                           f"a change's kind is one of {', '.join(CHANGE_KINDS)}")
    kind = change["kind"]
    if kind == "ai_uplift":
        code = str(change.get("city_code") or "")
        if not City.objects.filter(code=code).exists():
            raise DraftRefused("city_unknown", f"城市代码不存在：{code[:12]}", f"no such city code: {code[:12]}")
        # 4.2: 人工智能职业培训补贴标准可上浮不超过20%.
        uplift = _decimal(change.get("uplift"), "uplift", Decimal("0"), MAX_AI_UPLIFT)
        return {"kind": kind, "city_code": code, "uplift": str(uplift)}
    if kind == "plan_figure":
        name = change.get("name")
        if name not in PLAN_FIGURES:
            raise DraftRefused("bad_figure", f"可测算的计划数值：{', '.join(PLAN_FIGURES)}",
                               f"the plan figures a draft may change: {', '.join(PLAN_FIGURES)}")
        if PLAN_FIGURES[name] == "int":
            value: str = str(int(_decimal(change.get("value"), "value", Decimal("0"), Decimal("1000"))))
        else:
            value = str(_decimal(change.get("value"), "value", Decimal("0"), MAX_AMOUNT).quantize(Decimal("0.01")))
        return {"kind": kind, "name": name, "value": value, **_period(change)}
    amount = str(_decimal(change.get("amount"), "amount", Decimal("0"), MAX_AMOUNT).quantize(Decimal("0.01")))
    if kind == "ui_standard":
        return {"kind": kind, "amount": amount, **_period(change)}
    training_type = change.get("training_type")
    if training_type not in TRAINING_TYPES:
        raise DraftRefused("bad_type", "培训类型不正确", "unknown training type")
    out: dict[str, Any] = {"kind": kind, "training_type": training_type, "level": None, "course_kind": None}
    if training_type == "occupational":
        level = change.get("level")
        if str(level) not in {"1", "2", "3", "4", "5"}:
            raise DraftRefused("bad_level", "职业技能等级须为1至5", "the level must be 1 to 5")
        out["level"] = int(str(level))
    if training_type == "entrepreneurship":
        if change.get("course_kind") not in COURSE_KINDS:
            raise DraftRefused("bad_course", "创业培训课程类型不正确", "unknown course kind")
        out["course_kind"] = change["course_kind"]
    return {**out, "amount": amount, **_period(change)}


def _carve(entries: tuple[Any, ...], start: dt.date, end: dt.date | None) -> list[Any]:
    """Dated entries with the days [start, end] taken out: an entry across the period keeps its days before and
    after it as two entries (a standard of 2023 onward changed for 2026 stays in force for 2025 and 2027)."""
    kept = []
    for entry in entries:
        if entry.valid_to is not None and entry.valid_to < start or end is not None and entry.valid_from > end:
            kept.append(entry)
            continue
        if entry.valid_from < start:
            kept.append(replace(entry, valid_to=start - dt.timedelta(days=1)))
        if end is not None and (entry.valid_to is None or entry.valid_to > end):
            kept.append(replace(entry, valid_from=end + dt.timedelta(days=1)))
    return kept


def draft_param_set(base: ParamSet, changes: list[dict[str, Any]], label: str) -> ParamSet:
    """`base` with the draft's changes laid over it, in order; a later change over the same days wins."""
    params = replace(base, origin=f"{base.origin}+{label}")
    for number, change in enumerate(changes, start=1):
        where = f"{label}: change {number}"
        kind = change["kind"]
        if kind == "ai_uplift":
            params = replace(params, ai_uplift={**params.ai_uplift, change["city_code"]: Decimal(change["uplift"])})
            continue
        start = dt.date.fromisoformat(change["valid_from"])
        end = dt.date.fromisoformat(change["valid_to"]) if change["valid_to"] else None
        if kind == "plan_figure":
            old = params.plan.periods(change["name"])
            value: Any = int(change["value"]) if PLAN_FIGURES[change["name"]] == "int" else Decimal(change["value"])
            new = DatedFigure(change["name"], old[0].clause, value, start, end, f"what-if {where}", None, where)
            others = tuple(e for e in params.plan.entries if e.name != change["name"])
            params = replace(params, plan=replace(params.plan, entries=others + tuple(_carve(old, start, end)) + (new,)))
            continue
        ui = kind == "ui_standard"
        training_type = UI_KEY if ui else change["training_type"]
        new_standard = Standard(training_type, change.get("level"), change.get("course_kind"),
                                Decimal(change["amount"]), start, end, f"what-if {where}", None, where)
        group = params.ui_standards if ui else params.standards
        same = tuple(s for s in group if s.key == new_standard.key)
        rest = tuple(s for s in group if s.key != new_standard.key)
        changed = rest + tuple(_carve(same, start, end)) + (new_standard,)
        params = replace(params, ui_standards=changed) if ui else replace(params, standards=changed)
    check_no_overlap(params)
    return params


def describe_change(change: dict[str, Any]) -> str:
    """A change in one line, for the page and the audit trail (codes, not prose: both languages read it)."""
    period = f"{change.get('valid_from')} – {change.get('valid_to') or '…'}"
    if change["kind"] == "ai_uplift":
        return f"ai_uplift {change['city_code']} = {change['uplift']}"
    if change["kind"] == "plan_figure":
        return f"{change['name']} = {change['value']} ({period})"
    if change["kind"] == "ui_standard":
        return f"unemployment_insurance = {change['amount']} ({period})"
    key = standard_key(change["training_type"], change.get("level"), change.get("course_kind"))
    return f"{key} = {change['amount']} ({period})"


# ---------------------------------------------------------------- the one writer of drafts


def create_draft(actor: Any, title: str) -> ParameterDraft:
    _require_province(actor)
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise DraftRefused("bad_title", f"草案名称须为1至{TITLE_MAX}个字", f"the title is 1 to {TITLE_MAX} characters")
    with transaction.atomic(durable=True):
        now = timezone.now()
        draft = ParameterDraft.objects.create(title=title, author=actor, created_at=now, updated_at=now)
        record_event(actor, "what_if.draft_created", draft, after={"title": title})
    return draft


def add_change(actor: Any, draft_id: int, change: Any) -> ParameterDraft:
    """Append one checked change; the whole draft must still make a usable parameter set."""
    _require_province(actor)
    checked = checked_change(change)
    with transaction.atomic(durable=True):
        draft = ParameterDraft.objects.select_for_update().get(pk=draft_id)
        if len(draft.changes) >= MAX_CHANGES:
            raise DraftRefused("too_many_changes", f"一个草案至多{MAX_CHANGES}项变更",
                               f"a draft holds at most {MAX_CHANGES} changes")
        try:
            draft_param_set(load_packaged(), [*draft.changes, checked], f"draft {draft.pk}")
        except ParameterError as problem:
            raise DraftRefused("unusable", f"变更后的参数无法使用：{problem}", f"the changed parameters: {problem}") \
                from problem
        draft.changes = [*draft.changes, checked]
        draft.updated_at = timezone.now()
        draft.save(update_fields=["changes", "updated_at"])
        record_event(actor, "what_if.change_added", draft, after={"change": checked})
    return draft


def remove_change(actor: Any, draft_id: int, position: int) -> ParameterDraft:
    """Take out the change at `position` (1 = the first)."""
    _require_province(actor)
    with transaction.atomic(durable=True):
        draft = ParameterDraft.objects.select_for_update().get(pk=draft_id)
        if not 1 <= position <= len(draft.changes):
            raise DraftRefused("no_such_change", "没有这一项变更", "no such change")
        removed = draft.changes[position - 1]
        draft.changes = [each for number, each in enumerate(draft.changes, start=1) if number != position]
        draft.updated_at = timezone.now()
        draft.save(update_fields=["changes", "updated_at"])
        record_event(actor, "what_if.change_removed", draft, before={"change": removed})
    return draft


# ---------------------------------------------------------------- the replay


def replayed_claims(date_from: dt.date, date_to: dt.date) -> Any:
    """The claims of the period a replay decides (see the module's docstring)."""
    return SubsidyClaim.objects.filter(origin=ClaimOrigin.SYSTEM, status__in=REPLAYED_STATUSES, fund__in=FUNDS,
                                       end_date__gte=date_from, end_date__lte=date_to)


def baseline_params(on: dt.date) -> ParamSet:
    """The packaged parameters with each city's recorded AI uplift in force on `on` (4.2)."""
    params = load_packaged()
    for city in CityAiUplift.objects.values_list("city_id", flat=True).distinct():
        params = with_stored_uplift(params, city, on)
    return params


def checked_period(date_from: Any, date_to: Any) -> tuple[dt.date, dt.date]:
    start, end = _day(date_from, "date_from"), _day(date_to, "date_to")
    assert start is not None and end is not None
    if end < start:
        raise DraftRefused("bad_period", "统计期间止早于起", "the period ends before it starts")
    return start, end


@dataclass(frozen=True)
class Group:
    """One city, fund or training type: its claims and what the draft changes about them."""

    key: str
    claims: int
    changed: int
    people: int  # distinct persons with a changed claim
    newly_eligible: int
    newly_denied: int
    before: Decimal
    after: Decimal

    @property
    def difference(self) -> Decimal:
        return self.after - self.before

    @property
    def signed(self) -> str:
        """The difference with its sign, as the page and the API show it: "+300.00", "-1,500.00", "0.00"."""
        return signed_money(self.difference)


def signed_money(amount: Decimal) -> str:
    return f"{amount:+,.2f}" if amount else "0.00"


@dataclass(frozen=True)
class ChangedClaim:
    number: str
    city: str
    fund: str
    training_type: str
    eligible_before: bool
    eligible_after: bool
    amount_before: Decimal
    amount_after: Decimal
    denied_by_before: str
    denied_by_after: str

    @property
    def changes_side(self) -> bool:
        return self.eligible_before != self.eligible_after


@dataclass(frozen=True)
class Totals:
    """The whole period: what `policy.compare.compare_runs` (and `qiancheng check --compare`) print."""

    claims: int
    changed: int
    newly_eligible: int
    newly_denied: int
    total_before: Decimal
    total_after: Decimal

    @staticmethod
    def of(comparison: Comparison) -> Totals:
        return Totals(comparison.claims, comparison.changed.height, comparison.newly_eligible,
                      comparison.newly_denied, comparison.total_before, comparison.total_after)


@dataclass(frozen=True)
class Replay:
    draft_id: int
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    baseline_id: str
    draft_params_id: str
    totals: Totals
    people: int
    by_city: list[Group]
    by_fund: list[Group]
    by_type: list[Group]
    changed: list[ChangedClaim]
    stages: list[tuple[str, float]] = field(default_factory=list)
    exchange_complete: bool = True  # False: the draft changes a figure an exchange parameter file cannot carry

    @property
    def seconds(self) -> float:
        return sum(seconds for _stage, seconds in self.stages)

    @property
    def difference(self) -> Decimal:
        return self.totals.total_after - self.totals.total_before

    @property
    def signed(self) -> str:
        return signed_money(self.difference)

    @property
    def changed_count(self) -> int:
        return self.totals.changed

    def to_json(self) -> dict[str, Any]:
        """The result as a `WhatIfReplay` keeps it: amounts as decimal text, days as ISO dates."""
        def group(each: Group) -> dict[str, Any]:
            return {**{name: getattr(each, name) for name in ("key", "claims", "changed", "people", "newly_eligible",
                                                               "newly_denied")},
                    "before": str(each.before), "after": str(each.after)}

        return {
            "draft_id": self.draft_id, "date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat(),
            "as_of": self.as_of.isoformat(), "baseline_id": self.baseline_id, "draft_params_id": self.draft_params_id,
            "totals": {**{name: getattr(self.totals, name) for name in ("claims", "changed", "newly_eligible",
                                                                        "newly_denied")},
                       "total_before": str(self.totals.total_before), "total_after": str(self.totals.total_after)},
            "people": self.people, "by_city": [group(g) for g in self.by_city],
            "by_fund": [group(g) for g in self.by_fund], "by_type": [group(g) for g in self.by_type],
            # Claim by claim, positionally: a year of a province changes tens of thousands of claims.
            "changed": [[claim.number, claim.city, claim.fund, claim.training_type, claim.eligible_before,
                         claim.eligible_after, str(claim.amount_before), str(claim.amount_after),
                         claim.denied_by_before, claim.denied_by_after] for claim in self.changed],
            "stages": [[name, round(seconds, 3)] for name, seconds in self.stages],
            "exchange_complete": self.exchange_complete,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Replay:
        def group(each: dict[str, Any]) -> Group:
            return Group(**{**each, "before": Decimal(each["before"]), "after": Decimal(each["after"])})

        totals = data["totals"]
        return Replay(
            draft_id=data["draft_id"], date_from=dt.date.fromisoformat(data["date_from"]),
            date_to=dt.date.fromisoformat(data["date_to"]), as_of=dt.date.fromisoformat(data["as_of"]),
            baseline_id=data["baseline_id"], draft_params_id=data["draft_params_id"],
            totals=Totals(**{**totals, "total_before": Decimal(totals["total_before"]),
                             "total_after": Decimal(totals["total_after"])}),
            people=data["people"], by_city=[group(g) for g in data["by_city"]],
            by_fund=[group(g) for g in data["by_fund"]], by_type=[group(g) for g in data["by_type"]],
            changed=[ChangedClaim(number, city, fund, kind, before, after, Decimal(amount_before),
                                  Decimal(amount_after), denied_before, denied_after)
                     for number, city, fund, kind, before, after, amount_before, amount_after, denied_before,
                     denied_after in data["changed"]],
            stages=[(name, seconds) for name, seconds in data["stages"]],
            exchange_complete=data["exchange_complete"])


def _money(values: list[str]) -> Decimal:
    return sum((Decimal(value) for value in values), Decimal("0.00"))


def _groups(joined: pl.DataFrame, column: str) -> list[Group]:
    out = []
    for key in sorted(joined[column].unique().to_list()):
        part = joined.filter(c(column) == key)
        changed = part.filter(c("changed"))
        out.append(Group(
            key=key, claims=part.height, changed=changed.height, people=changed["person"].n_unique(),
            newly_eligible=changed.filter(~c("eligible") & c("eligible_after")).height,
            newly_denied=changed.filter(c("eligible") & ~c("eligible_after")).height,
            before=_money(part["total_amount"].to_list()), after=_money(part["total_amount_after"].to_list())))
    return out


def _bounded_count(claims: Any) -> int:
    count = claims.count()
    if count > MAX_REPLAY_CLAIMS:
        raise DraftRefused("period_too_large", f"该期间有{count}项申领，超过单次测算上限{MAX_REPLAY_CLAIMS}项，请缩短期间",
                           f"the period holds {count} claims, above the {MAX_REPLAY_CLAIMS} one replay decides; "
                           "choose a shorter period")
    return count


def replay(actor: Any, draft: ParameterDraft, date_from: Any, date_to: Any, *,
           progress: Callable[[str], None] | None = None) -> Replay:
    """Decide the period's claims with the packaged parameters and with the draft, and compare (no claim is
    written: the stored decisions stay as they are). Refused beyond MAX_REPLAY_CLAIMS claims."""
    _require_province(actor)
    start, end = checked_period(date_from, date_to)
    say = progress or (lambda stage: None)
    claims = replayed_claims(start, end)
    count = _bounded_count(claims)
    stages: list[tuple[str, float]] = []
    clock = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages.append((name, now - clock))
        clock = now
        say(name)

    base = baseline_params(end)
    try:
        drafted = draft_param_set(base, draft.changes, f"draft {draft.pk}")
    except ParameterError as problem:
        raise DraftRefused("unusable", f"草案参数无法使用：{problem}", f"the draft's parameters: {problem}") from problem
    as_of = today()
    try:
        with transaction.atomic():  # opening the sealed ID numbers is an audited read
            claims_frame, history_frame = stored_frames(actor, claims)
            record_event(actor, "what_if.replayed", draft, after={
                "date_from": start.isoformat(), "date_to": end.isoformat(), "claims": count})
        stage("export")
        before = decide(claims_frame, history_frame, base, as_of)
        stage("packaged")
        after = decide(claims_frame, history_frame, drafted, as_of)
        stage("draft")
    except (ExchangeError, ParameterError) as problem:
        problems = problem.problems if isinstance(problem, ExchangeError) else [str(problem)]
        raise DraftRefused("cannot_decide", "无法判定：" + "; ".join(problems[:5]),
                           "the engine cannot decide the period: " + "; ".join(problems[:5])) from problem
    comparison = compare_runs(before.decisions, after.decisions)
    joined = (before.decisions.join(after.decisions, on="claim_id", suffix="_after")
              .join(claims_frame.select("claim_id", c("id_number").alias("person"), "city_code", "fund",
                                        "training_type"), on="claim_id")
              .with_columns(c("claim_id").is_in(comparison.changed["claim_id"].implode()).alias("changed")))
    changed = [ChangedClaim(row["claim_id"], row["city_code"], row["fund"], row["training_type"], row["eligible"],
                            row["eligible_after"], Decimal(row["total_amount"]), Decimal(row["total_amount_after"]),
                            row["denied_by"] or "", row["denied_by_after"] or "")
               for row in joined.filter(c("changed")).sort("claim_id").iter_rows(named=True)]
    result = Replay(
        draft_id=draft.pk, date_from=start, date_to=end, as_of=as_of, baseline_id=base.id,
        draft_params_id=drafted.id, totals=Totals.of(comparison),
        people=joined.filter(c("changed"))["person"].n_unique(),
        by_city=_groups(joined, "city_code"), by_fund=_groups(joined, "fund"), by_type=_groups(joined, "training_type"),
        changed=changed, stages=stages,
        exchange_complete=all(change["kind"] in EXCHANGE_CARRIES for change in draft.changes))
    stage("compare")
    return result


# ---------------------------------------------------------------- the replay on the task queue (ADR 0005)


def queue_replay(actor: Any, draft: ParameterDraft, date_from: Any, date_to: Any) -> WhatIfReplay:
    """Store a replay of the draft's changes as they stand over the period and queue it; returns at once (with the
    immediate backend of the tests the replay has already run). The period and its size are checked here, so a
    refusal is answered in the request rather than found later on the queue."""
    _require_province(actor)
    start, end = checked_period(date_from, date_to)
    count = _bounded_count(replayed_claims(start, end))
    with transaction.atomic():
        job = WhatIfReplay.objects.create(draft=draft, requested_by=actor, requested_at=timezone.now(),
                                          date_from=start, date_to=end, changes=list(draft.changes), claims=count)
        record_event(actor, "what_if.replay_queued", draft, after={
            "replay": job.pk, "date_from": start.isoformat(), "date_to": end.isoformat(), "claims": count})
        # Enqueued in the job's transaction: with the database backend a job never exists without its task.
        queued = run_replay.enqueue(job.pk)
        WhatIfReplay.objects.filter(pk=job.pk).update(task_id=str(queued.id))
    job.refresh_from_db()
    return job


def _finish(job_id: int, **fields: Any) -> str:
    """Write the outcome once, under the row's lock: a replay already finished (a reclaimed task run twice) is
    left as it is."""
    with transaction.atomic():
        locked = WhatIfReplay.objects.select_for_update().get(pk=job_id)
        if locked.status in (WhatIfReplayStatus.DONE, WhatIfReplayStatus.FAILED):
            return locked.status
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.finished_at = timezone.now()
        locked.save()
    return locked.status


@task()
def run_replay(job_id: int) -> str:
    """The queued replay of one `WhatIfReplay`. Safe to run again (a worker killed mid-replay leaves it "running"
    and the task is reclaimed): a finished replay is left as it is; a re-run replays from the start (and its
    reading of the sealed ID numbers is audited again, as it is a second reading)."""
    job = WhatIfReplay.objects.select_related("draft", "requested_by").filter(pk=job_id).first()
    if job is None or job.status in (WhatIfReplayStatus.DONE, WhatIfReplayStatus.FAILED):
        return job.status if job else "missing"
    WhatIfReplay.objects.filter(pk=job.pk).update(status=WhatIfReplayStatus.RUNNING, stage="")
    draft = job.draft
    draft.changes = job.changes  # the changes as they stood when asked for; never saved from here

    def stage_done(name: str) -> None:
        WhatIfReplay.objects.filter(pk=job.pk).update(stage=name)

    try:
        result = replay(job.requested_by, draft, job.date_from, job.date_to, progress=stage_done)
    except DraftRefused as refusal:
        return _finish(job.pk, status=WhatIfReplayStatus.FAILED, problem_zh=refusal.zh, problem_en=refusal.en)
    except Exception:
        _finish(job.pk, status=WhatIfReplayStatus.FAILED, problem_zh="测算未能完成，已记录故障",
                problem_en="the replay could not finish; the fault is logged")
        raise  # the task is marked failed and the worker logs the traceback
    return _finish(job.pk, status=WhatIfReplayStatus.DONE, stage="compare", result=result.to_json(),
                   claims=result.totals.claims)


def stored_result(job: WhatIfReplay) -> Replay | None:
    return Replay.from_json(job.result) if job.status == WhatIfReplayStatus.DONE and job.result else None


STAGE_TEXT = {"": ("", ""), "export": ("已导出申领", "claims exported"),
              "packaged": ("已按现行参数判定", "decided with the parameters in force"),
              "draft": ("已按草案判定", "decided with the draft"), "compare": ("已比较", "compared")}


def replay_progress(job: WhatIfReplay) -> tuple[str, str]:
    """The one-line state of a replay, in Chinese and English, as the page and the API show it: while it waits,
    the state of its queued task (web.task_queue.task_state); while it runs, the last stage it finished."""
    if job.status == WhatIfReplayStatus.DONE:
        result = stored_result(job)
        seconds = result.seconds if result else 0.0
        return (f"已完成：{job.claims}项申领，用时{seconds:.1f}秒",
                f"done: {job.claims} claims in {seconds:.1f} s")
    if job.status == WhatIfReplayStatus.FAILED:
        return f"未完成：{job.problem_zh}", f"failed: {job.problem_en}"
    state = task_state(run_replay, job.task_id)
    if state == TaskResultStatus.FAILED:
        return "测算未能完成，已记录故障；请重新测算", "the replay could not finish and the fault is logged; ask again"
    if job.status == WhatIfReplayStatus.QUEUED or state == TaskResultStatus.READY:
        return f"排队等待测算（{job.claims}项申领）", f"waiting in the queue ({job.claims} claims)"
    zh, en = STAGE_TEXT.get(job.stage, ("", ""))
    return (f"测算中（{job.claims}项申领）" + (f"：{zh}" if zh else ""),
            f"running ({job.claims} claims)" + (f": {en}" if en else ""))


def city_names() -> dict[str, str]:
    return dict(City.objects.values_list("code", "name"))


# ---------------------------------------------------------------- the same period as exchange files


def write_exchange_files(actor: Any, draft: ParameterDraft, date_from: Any, date_to: Any,
                         folder: Path) -> dict[str, Path]:
    """The period's claims and history (EXCHANGE.md JSON Lines, clear ID numbers: the engine checks GB 11643 on
    them), the baseline parameters and the draft's, so `qiancheng check --claims … --history … --params
    baseline.json --compare draft.json` reproduces a replay offline. The files hold personal data: the read is
    audited and the caller keeps them on a protected volume. A draft that changes the plan's own figures cannot
    be carried by an exchange parameter file (EXCHANGE.md (c)); it is refused here."""
    _require_province(actor)
    if not all(change["kind"] in EXCHANGE_CARRIES for change in draft.changes):
        raise DraftRefused("not_exchangeable", "该草案改动了交换参数文件不含的计划数值，无法导出",
                           "the draft changes plan figures an exchange parameter file does not carry")
    start, end = checked_period(date_from, date_to)
    claims = replayed_claims(start, end)
    with transaction.atomic():
        claim_rows = stored_claim_records(claims)
        history_rows = stored_history_records(None, None, excluding=[row["claim_id"] for row in claim_rows])
        opened = open_id_numbers(actor, claim_rows + history_rows, "what-if: exchange files for an offline replay")
        record_event(actor, "what_if.exported", draft, after={
            "date_from": start.isoformat(), "date_to": end.isoformat(), "claims": len(claim_rows)})
    base = baseline_params(end)
    files = {"claims": folder / "claims.jsonl", "history": folder / "history.jsonl",
             "params": folder / "baseline.json", "draft": folder / "draft.json"}
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("claims", opened[: len(claim_rows)]), ("history", opened[len(claim_rows):])):
        files[name].write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    files["params"].write_text(json.dumps(base.to_exchange(), ensure_ascii=False, indent=1), encoding="utf-8")
    drafted = draft_param_set(base, draft.changes, f"draft {draft.pk}")
    files["draft"].write_text(json.dumps(drafted.to_exchange(), ensure_ascii=False, indent=1), encoding="utf-8")
    return files
