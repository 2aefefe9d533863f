"""A batch run from files: load and validate claims, history and parameters; decide; write.

Used by `qiancheng check`, `qiancheng explain` and the benchmark. Any format or parameter error stops
the run before anything is written (EXCHANGE.md: there is no partial output).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from qiancheng.policy.engine import DecisionRun, Progress, decide
from qiancheng.policy.exchange import (
    CLAIM_FIELDS,
    HISTORY_FIELDS,
    MAX_REPORTED_ERRORS,
    ExchangeError,
    check_unique,
    read_table,
    records_to_frame,
    validate,
)
from qiancheng.policy.params import ParamSet, apply_override, load_exchange_params, load_packaged

c = pl.col


def load_claims(path: Path) -> pl.DataFrame:
    return typed_claims(read_table(path, CLAIM_FIELDS, "claims"), str(path))


def load_history(path: Path | None) -> pl.DataFrame:
    if path is None:
        return empty_history()
    return typed_history(read_table(path, HISTORY_FIELDS, "history"), str(path))


def claims_from_records(records: list[dict], label: str = "claims") -> pl.DataFrame:
    return typed_claims(records_to_frame(records, CLAIM_FIELDS, label), label)


def history_from_records(records: list[dict], label: str = "history") -> pl.DataFrame:
    return typed_history(records_to_frame(records, HISTORY_FIELDS, label), label)


def typed_claims(raw: pl.DataFrame, label: str) -> pl.DataFrame:
    frame = validate(raw, CLAIM_FIELDS, label, c("training_type"))
    check_unique(frame, "claim_id", label)
    _require(frame, c("employment_proof_kind").is_null() != c("employment_proof_date").is_null(), label,
             "employment_proof_date", "就业证明日期须与证明类型同时填写", "is given if and only if employment_proof_kind is")
    return frame


def typed_history(raw: pl.DataFrame, label: str) -> pl.DataFrame:
    kind = pl.when(c("record_type") == "claim").then(pl.format("claim:{}", c("training_type"))).otherwise(
        c("record_type"))
    frame = validate(raw, HISTORY_FIELDS, label, kind)
    check_unique(frame, "record_id", label)
    _require(frame, (c("record_type") != "blacklist") & c("id_number").is_null(), label, "id_number",
             "缺少必填值", "a value is required")
    _require(frame, (c("record_type") == "blacklist") & (c("id_number").is_null() == c("institution_id").is_null()),
             label, "id_number/institution_id", "黑名单记录须且只能填写其中一项",
             "a blacklist row names exactly one of a person and an institution")
    return frame


def empty_history() -> pl.DataFrame:
    return typed_history(records_to_frame([], HISTORY_FIELDS, "history"), "history")


def _require(frame: pl.DataFrame, bad: pl.Expr, label: str, field: str, zh: str, en: str) -> None:
    rows = frame.filter(bad)["__row"].head(MAX_REPORTED_ERRORS).to_list()
    if rows:
        raise ExchangeError([f"{label}: 第{row}条记录 / row {row}: 字段 {field}：{zh} / field '{field}': {en}"
                             for row in rows])


def check_not_in_history(claims: pl.DataFrame, history: pl.DataFrame, label: str) -> None:
    """RULES reading 16: a claim being decided must not also be a history claim (take it out first)."""
    history_claims = history.filter(c("record_type") == "claim")["record_id"].implode()
    clash = claims.filter(c("claim_id").is_in(history_claims)).select("__row", "claim_id").head(MAX_REPORTED_ERRORS)
    if clash.height:
        raise ExchangeError([
            f"{label}: 第{row}条记录 / row {row}: claim_id {claim_id!r} 已在历史记录中，重新审核前须先从历史中移除 / is also "
            "a history claim; take the claims being decided out of the history first"
            for row, claim_id in clash.iter_rows()
        ])


def run_date(as_of: dt.date | None, params: ParamSet) -> dt.date:
    """The decision date: `--as-of`, else the parameter set's, else the programme's today.

    The programme clock (qiancheng.clock) is imported only when it is read: it brings Django's time zone
    support, which a run with a dated parameter set does not need (`qiancheng check` starts faster).
    """
    if as_of is not None:
        return as_of
    if params.as_of is not None:
        return params.as_of
    from qiancheng import clock

    return clock.today()


def load_params(params: Path | None, override: Path | None = None) -> ParamSet:
    """`--params` is the complete set of the run; without it the packaged set; `--override` edits either."""
    base = load_exchange_params(params) if params else load_packaged()
    if override is None:
        return base
    try:
        obj = json.loads(override.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except (OSError, ValueError) as exc:
        raise ExchangeError([f"{override}: 无法读取 / cannot read: {exc}"]) from exc
    return apply_override(base, obj, str(override))


@dataclass(frozen=True)
class BatchInput:
    claims: pl.DataFrame
    history: pl.DataFrame
    params: ParamSet
    as_of: dt.date


def load_batch(claims: Path, history: Path | None, params: Path | None, override: Path | None,
               as_of: dt.date | None) -> BatchInput:
    claims_frame = load_claims(claims)
    history_frame = load_history(history)
    check_not_in_history(claims_frame, history_frame, str(claims))
    param_set = load_params(params, override)
    return BatchInput(claims_frame, history_frame, param_set, run_date(as_of, param_set))


def run(batch: BatchInput, *, trace: bool = False, progress: Progress | None = None) -> DecisionRun:
    return decide(batch.claims, batch.history, batch.params, batch.as_of, trace=trace, progress=progress)
