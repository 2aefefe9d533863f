"""`qiancheng check --engine spark`: the person partitions of `partitioned` decided on Apache Spark.

There is no second implementation of the rules. The driver reads and validates the files in blocks
exactly as a partitioned run does (`partitioned.split_input`: the same checks, the same messages, the
same partition of the normalised ID number) and leaves the typed blocks as Parquet in the work folder.
Spark reads them, shuffles every row to the partition of its person (`repartition(n, __part)`), and each
Spark task hands its whole partition to `engine.decide` through `mapInArrow`: the Polars engine runs
inside the Python worker on the Arrow batches. The decisions come back as Parquet and the driver writes
the one decisions file in claim-ID order.

Local mode (`--master local[*]`, the default) needs only Java 17 and the `spark` extra
(`pip install 'qiancheng[spark]'`). On a cluster (`--master spark://host:7077`, `yarn`, `k8s://...`) every
executor needs the same Python environment with qiancheng installed, and `--workdir` must be a folder
that the driver and every executor see at the same path (a shared or distributed file system).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from qiancheng.policy.batch import empty_history
from qiancheng.policy.engine import DecisionRun, decide
from qiancheng.policy.exchange import DECISION_COLUMNS
from qiancheng.policy.params import ParamSet
from qiancheng.policy.partitioned import PART, in_claim_order, split_input
from qiancheng.policy.rules import RULE_VERSION

SOURCE = "__source"
SET = "__set"  # which parameter set decided the row (a --compare run decides twice)
SPARK_MISSING = ("--engine spark needs pyspark, pyarrow and pandas: pip install 'qiancheng[spark]' / "
                 "需要安装 Spark 依赖")


class SparkUnavailable(RuntimeError):
    """pyspark (or Java) is missing: the message says what to install."""


def decide_on_spark(
    claims: Path,
    history: Path | None,
    param_sets: list[ParamSet],
    as_of: dt.date,
    partitions: int,
    *,
    master: str = "local[*]",
    workdir: Path | None = None,
    quiet: bool = True,
) -> list[DecisionRun]:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailable(SPARK_MISSING) from exc
    # The Python workers must run this interpreter (its environment has Polars and qiancheng).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    with tempfile.TemporaryDirectory(prefix="qiancheng-spark-", dir=workdir) as folder:
        split = split_input(claims, history, partitions, Path(folder), parquet=True)
        spark = (
            SparkSession.builder.master(master).appName("qiancheng check")
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.ui.enabled", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        if quiet:
            spark.sparkContext.setLogLevel("ERROR")
        try:
            decided = _decide(spark, split, param_sets, as_of, partitions, Path(folder) / "decisions")
        finally:
            spark.stop()
        return [DecisionRun(in_claim_order(frames, params, as_of), params.id, RULE_VERSION, as_of)
                for frames, params in zip(decided, param_sets, strict=True)]


def _decide(spark, split, param_sets: list[ParamSet], as_of: dt.date, partitions: int,
            out: Path) -> list[list[pl.DataFrame]]:
    from pyspark.sql import functions as F

    claim_files = [str(path) for path, _ in split.claims.files]
    if not claim_files:
        return [[] for _ in param_sets]
    rows = spark.read.parquet(*claim_files).withColumn(SOURCE, F.lit("claim"))
    history_files = [str(path) for path, _ in split.history.files]
    if history_files:
        past = spark.read.parquet(*history_files).withColumn(SOURCE, F.lit("history"))
        rows = rows.unionByName(past, allowMissingColumns=True)
    # Rows that every partition needs (the institution blacklist) travel with the function: they are few.
    shared = pl.concat([pl.read_parquet(path) for path in split.history.shared]) if split.history.shared else None
    claim_columns = pl.read_parquet_schema(claim_files[0])
    history_columns = empty_history().schema
    decide_partition = _partition_decider(param_sets, as_of, claim_columns, history_columns, shared)
    schema = ", ".join(f"`{name}` {'boolean' if name == 'eligible' else 'string'}" for name in DECISION_COLUMNS)
    decided = rows.repartition(partitions, PART).mapInArrow(decide_partition, f"{schema}, `{SET}` int")
    decided.write.mode("overwrite").parquet(str(out))
    result = pl.read_parquet(out / "*.parquet") if any(out.glob("*.parquet")) else None
    if result is None:
        return [[] for _ in param_sets]
    return [[result.filter(pl.col(SET) == index).drop(SET)] for index in range(len(param_sets))]


def _partition_decider(param_sets: list[ParamSet], as_of: dt.date, claim_schema: dict, history_schema: dict,
                       shared: pl.DataFrame | None):
    """The function each Spark task runs on its partition: every row of its persons, decided at once."""
    claim_names = [name for name in claim_schema if name != PART]
    history_names = list(history_schema)

    def decide_partition(batches: Iterator) -> Iterator:
        import pyarrow as pa

        frames = [pl.from_arrow(batch) for batch in batches]
        frames = [frame for frame in frames if frame.height]
        if not frames:
            return
        rows = pl.concat(frames, how="vertical_relaxed")
        claims = _typed(rows.filter(pl.col(SOURCE) == "claim"), claim_names, claim_schema)
        if not claims.height:
            return
        past = rows.filter(pl.col(SOURCE) == "history")
        history = _typed(past, history_names, history_schema) if past.height else empty_history()
        if shared is not None:
            history = pl.concat([history, shared.select(history_names)], how="vertical_relaxed")
        for index, params in enumerate(param_sets):
            decisions = decide(claims, history, params, as_of).decisions.select(DECISION_COLUMNS)
            table = decisions.with_columns(pl.lit(index, pl.Int32).alias(SET)).to_arrow()
            yield from table.cast(pa.schema([
                pa.field(name, pa.bool_() if name == "eligible" else pa.string()) for name in DECISION_COLUMNS
            ] + [pa.field(SET, pa.int32())])).to_batches()

    return decide_partition


def _typed(rows: pl.DataFrame, names: list[str], schema: dict) -> pl.DataFrame:
    """The columns of one input as the engine reads them (Spark widens unsigned integers and may reorder)."""
    return rows.select(pl.col(name).cast(schema[name]) for name in names)
