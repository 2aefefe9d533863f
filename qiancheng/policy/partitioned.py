"""Deciding a batch too large for one frame: partitions by person, each decided by the same engine.

RULES.md makes a claim's decision depend only on the claim, the parameters, the as-of date, the history
of its own person, the batch claims of its own person, and the blacklist of its institution. So the
claims and the history are split by a hash of the *normalised* ID number (RULES reading 1): every record
of a person lands in one partition, the institution blacklist goes to every partition, and each partition
is decided by `engine.decide` exactly as a small batch would be. Within a partition the order of arrival
(end date, claim ID) of one person's claims is the same as in the whole batch, which is all the rounds
read. The decisions are then put together in claim-ID order (EXCHANGE.md (d)).

The input is read and validated in blocks of whole CSV records (row numbers kept, so a bad row is
reported as in a plain run), each block is typed, hashed and written once to an uncompressed Arrow IPC file
sorted by partition, one record batch per partition; a partition is then read back as one slice of every
block file, which reads that record batch alone (Parquet, which Spark reads, is written instead for
`--engine spark`: a slice of a Parquet file decodes its whole column chunks, once per partition). Memory is bounded by a block
plus one partition, whatever the size of the file. Nothing is written to the decisions file unless the
whole input is valid and every partition is decided (EXCHANGE.md: no partial output).

`--engine spark` (qiancheng.policy.spark) uses the same blocks and the same partition function.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from qiancheng.policy.batch import (
    check_not_in_history,
    claims_from_records,
    empty_history,
    typed_claims,
    typed_history,
)
from qiancheng.policy.engine import DecisionRun, decide, normalised_ids
from qiancheng.policy.exchange import (
    CLAIM_FIELDS,
    HISTORY_FIELDS,
    MAX_REPORTED_ERRORS,
    ExchangeError,
    Field,
    read_table,
    select_fields,
)
from qiancheng.policy.params import ParamSet
from qiancheng.policy.rules import RULE_VERSION

c = pl.col

# A plain (one-frame) run below this much input (claims and history files together); above it, at least two
# partitions and one per PARTITION_BYTES. The engine's working memory grows with the partition, the split's
# cost with the number of partitions (each reads a slice of every block file, and each engine call has a
# fixed cost): 200,000 claims with their history (76 MB of CSV) make 2 partitions, 1,000,000 claims 3, and
# 30 M claims (11.7 GB of CSV) 88.
AUTO_FROM_BYTES = 32 * 1024 * 1024
PARTITION_BYTES = 128 * 1024 * 1024
MAX_PARTITIONS = 256
# Records read, validated and hashed at once: at least 50,000 (about 12 MiB of claims CSV), more for very
# large files so that a partition is read back from at most BLOCKS_PER_FILE slices of each file.
BLOCK_ROWS = 50_000
BLOCKS_PER_FILE = 64
CSV_BYTES_PER_ROW = 200  # a claim row of the exchange format is 200-250 bytes; history rows about 90
PART = "__part"


def _input_bytes(claims: Path, history: Path | None) -> int:
    return (claims.stat().st_size if claims.exists() else 0) + (
        history.stat().st_size if history and history.exists() else 0)


def partition_count(claims: Path, history: Path | None) -> int:
    """How many partitions `qiancheng check` uses when not told: 1 (a plain run) for small input."""
    if not claims.exists():
        return 1  # the plain run reports the missing file
    size = _input_bytes(claims, history)
    if size < AUTO_FROM_BYTES:
        return 1
    return min(MAX_PARTITIONS, max(2, math.ceil(size / PARTITION_BYTES)))


def partition_of(person: pl.Series, partitions: int) -> pl.Series:
    """The partition of each normalised ID number: its hash modulo the number of partitions.

    Only the grouping matters for the decisions (a person is never split, whatever the hash); the
    partition is computed once, by the process that reads the files, and travels with the rows (to
    Spark too), so it need not be stable across Polars versions.
    """
    return (person.hash(seed=0) % partitions).cast(pl.UInt32).alias(PART)


# ---------------------------------------------------------------- reading in blocks

def block_rows(path: Path) -> int:
    """Rows per block for a file of this size (see BLOCKS_PER_FILE)."""
    size = path.stat().st_size if path.exists() else 0
    return max(BLOCK_ROWS, size // CSV_BYTES_PER_ROW // BLOCKS_PER_FILE)


def raw_blocks(path: Path, fields: tuple[Field, ...], label: str, rows: int | None = None) -> Iterator[pl.DataFrame]:
    """Text frames of the file's records, `rows` at a time, numbered as in a plain read (`__row`).

    CSV is streamed by Polars' own reader (quoted newlines and a leading BOM handled as in a plain
    read); the other formats are small by nature and read whole.
    """
    if path.suffix.lower() != ".csv" or not path.exists():
        yield read_table(path, fields, label)
        return
    if path.stat().st_size == 0:
        raise ExchangeError([f"{path}: 文件为空，缺少表头 / empty file: the header row is missing"])
    scan = pl.scan_csv(path, infer_schema=False, quote_char='"', has_header=True, null_values=[""])
    offset = 0
    try:
        columns = scan.collect_schema().names()
        if not any(True for _ in _text_fields(fields, columns)):
            yield select_fields(pl.DataFrame(schema=dict.fromkeys(columns, pl.String)), fields, path, label)
            return
        batches = scan.select(_text_fields(fields, columns)).collect_batches(chunk_size=rows or block_rows(path))
        empty = True
        for frame in batches:
            empty = False
            frame = select_fields(frame, fields, path, label, row_offset=offset)
            offset += frame.height
            yield frame
        if empty:
            yield select_fields(pl.DataFrame(schema=dict.fromkeys(columns, pl.String)), fields, path, label)
    except pl.exceptions.PolarsError as exc:
        reason = "不是UTF-8编码 / not UTF-8" if "utf-8" in str(exc).lower() else "CSV格式错误 / malformed CSV"
        raise ExchangeError([f"{path}: {reason}: {exc}"]) from exc


def _text_fields(fields: tuple[Field, ...], columns: list[str]) -> list[str]:
    """The file's columns that are fields (extra columns are ignored, EXCHANGE.md)."""
    names = {f.name for f in fields}
    return [name for name in columns if name in names]


# ---------------------------------------------------------------- splitting

@dataclass
class _Spill:
    """Block files of one input, each sorted by partition, and where each partition lies in each."""

    folder: Path
    parquet: bool = False  # for Spark; else Arrow IPC
    files: list[tuple[Path, dict[int, tuple[int, int]]]] = field(default_factory=list)
    shared: list[Path] = field(default_factory=list)  # rows every partition needs (institution blacklist)

    def add(self, frame: pl.DataFrame) -> None:
        pieces = frame.partition_by(PART, maintain_order=True, as_dict=True)
        spans, start, ordered = {}, 0, []
        for (part,), piece in sorted(pieces.items()):
            spans[part] = (start, piece.height)
            start += piece.height
            ordered.append(piece)
        name = f"block-{len(self.files) + len(self.shared):05d}"
        # One chunk per partition, so that the IPC file holds one record batch per partition.
        self._write(pl.concat(ordered, rechunk=False), name)
        self.files.append((self._path(name), spans))

    def add_shared(self, frame: pl.DataFrame) -> None:
        name = f"shared-{len(self.shared):05d}"
        self._write(frame, name)
        self.shared.append(self._path(name))

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.{'parquet' if self.parquet else 'arrow'}"

    def _write(self, frame: pl.DataFrame, name: str) -> None:
        if self.parquet:
            frame.write_parquet(self._path(name), compression="lz4", statistics=False)  # with PART: Spark reads it
        else:
            frame.write_ipc(self._path(name), compression="uncompressed")

    def _scan(self, path: Path) -> pl.LazyFrame:
        return pl.scan_parquet(path) if self.parquet else pl.scan_ipc(path)

    def part(self, index: int) -> pl.DataFrame | None:
        pieces = [self._scan(path).slice(*spans[index]).drop(PART) for path, spans in self.files if index in spans]
        pieces += [self._scan(path) for path in self.shared]
        if not pieces:
            return None
        return pl.concat(pieces, how="vertical").collect()


@dataclass(frozen=True)
class Split:
    """Validated claims and history written as person partitions in `folder`."""

    claims: _Spill
    history: _Spill
    partitions: int
    claim_count: int

    def claims_of(self, index: int) -> pl.DataFrame | None:
        return self.claims.part(index)

    def history_of(self, index: int) -> pl.DataFrame:
        found = self.history.part(index)
        return found if found is not None else empty_history()


def split_input(claims: Path, history: Path | None, partitions: int, folder: Path, *,
                parquet: bool = False) -> Split:
    """Read, validate and hash both files block by block; raise ExchangeError as a plain run would.
    `parquet`: the block files as Parquet (Spark reads them), else Arrow IPC."""
    problems: list[str] = []
    claim_spill, history_spill = _Spill(folder / "claims", parquet), _Spill(folder / "history", parquet)
    claim_spill.folder.mkdir(parents=True)
    history_spill.folder.mkdir(parents=True)
    claim_ids: list[pl.DataFrame] = []
    for raw in raw_blocks(claims, CLAIM_FIELDS, "claims"):
        typed = _typed(raw, lambda r: typed_claims(r, str(claims)), problems)
        if typed is None or problems:
            continue
        claim_ids.append(typed.select("__row", _compact("claim_id")))
        typed = typed.with_columns(partition_of(normalised_ids(typed["id_number"]), partitions))
        claim_spill.add(typed)
    _raise(problems)
    record_ids: list[pl.DataFrame] = []
    if history is not None:
        for raw in raw_blocks(history, HISTORY_FIELDS, "history"):
            typed = _typed(raw, lambda r: typed_history(r, str(history)), problems)
            if typed is None or problems:
                continue
            record_ids.append(typed.select("__row", _compact("record_id"), "record_type"))
            typed = typed.with_columns(partition_of(normalised_ids(typed["id_number"]), partitions))
            personal = typed["id_number"].is_not_null()
            history_spill.add(typed.filter(personal))
            if not personal.all():
                history_spill.add_shared(typed.filter(~personal).drop(PART))
    _raise(problems)
    all_claims = pl.concat(claim_ids) if claim_ids else pl.DataFrame(schema={"__row": pl.UInt32, "claim_id": pl.String})
    _check_unique(all_claims, "claim_id", str(claims))
    if record_ids:
        history_ids = pl.concat(record_ids)
        _check_unique(history_ids, "record_id", str(history))
        check_not_in_history(all_claims, history_ids, str(claims))
    return Split(claim_spill, history_spill, partitions, all_claims.height)


def _compact(name: str) -> pl.Expr:
    """A text column in buffers of its own: a slice or filter of a Polars string column keeps the whole
    block it came from alive, which across a large file would hold every block in memory."""
    return pl.concat_str(c(name), pl.lit("")).alias(name)


def _typed(raw: pl.DataFrame, convert: Callable[[pl.DataFrame], pl.DataFrame],
           problems: list[str]) -> pl.DataFrame | None:
    """One block validated; its problems are collected (up to the plain run's limit) instead of raised."""
    if len(problems) >= MAX_REPORTED_ERRORS:
        return None
    try:
        return convert(raw)
    except ExchangeError as error:
        problems.extend(error.problems[:MAX_REPORTED_ERRORS - len(problems)])
        return None


def _raise(problems: list[str]) -> None:
    if problems:
        raise ExchangeError(problems)


def _check_unique(ids: pl.DataFrame, column: str, path: str) -> None:
    if ids[column].n_unique() == ids.height:
        return
    duplicated = ids.filter(c(column).is_duplicated()).sort("__row").head(MAX_REPORTED_ERRORS)
    raise ExchangeError([
        f"{path}: 第{row}条记录 / row {row}: 字段 {column} 重复 / field '{column}' is not unique: {value!r}"
        for row, value in duplicated.select("__row", column).iter_rows()
    ])


# ---------------------------------------------------------------- deciding

def decide_partitioned(
    claims: Path,
    history: Path | None,
    param_sets: list[ParamSet],
    as_of: dt.date,
    partitions: int,
    *,
    workdir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[DecisionRun]:
    """Decide the files partition by partition, once per parameter set (a `--compare` run decides
    each partition twice); the decisions of each set in claim-ID order."""
    with tempfile.TemporaryDirectory(prefix="qiancheng-partitions-", dir=workdir) as folder:
        split = split_input(claims, history, partitions, Path(folder))
        found: list[list[pl.DataFrame]] = [[] for _ in param_sets]
        for index in range(partitions):
            part_claims = split.claims_of(index)
            if part_claims is not None and part_claims.height:
                part_history = split.history_of(index)
                for runs, params in zip(found, param_sets, strict=True):
                    runs.append(decide(part_claims, part_history, params, as_of).decisions)
            if progress:
                progress(index + 1, partitions)
    return [DecisionRun(in_claim_order(frames, params, as_of), params.id, RULE_VERSION, as_of)
            for frames, params in zip(found, param_sets, strict=True)]


def in_claim_order(frames: list[pl.DataFrame], params: ParamSet, as_of: dt.date) -> pl.DataFrame:
    if not frames:  # a header-only claims file: no decisions, in the decisions' own shape
        return decide(claims_from_records([]), empty_history(), params, as_of).decisions
    return pl.concat(frames, how="vertical").sort("claim_id")
