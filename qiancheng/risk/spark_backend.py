"""Splink's Spark backend for the person linkage, for when one machine is outgrown (national scale).

There is no second model and no distributed code of ours: `linkage` builds the same Splink settings
(blocking rules, comparisons, priors) and hands Splink a `SparkAPI` instead of a `DuckDBAPI`. Splink
writes the blocking, the comparison vectors and the connected components as Spark SQL; Spark spreads
them over its executors.

Local mode (`master="local[2]"`, the default here) needs only Java 17 and the `spark` extra
(`pip install 'qiancheng[spark]'`), the same as `qiancheng check --engine spark` (policy/spark.py).
On a cluster (`spark://host:7077`, `yarn`, `k8s://...`) every executor needs this Python environment,
and `checkpoint_dir` must be a folder the driver and every executor see at the same path (HDFS, S3,
a shared file system): Splink writes its intermediate tables there as Parquet to cut Spark's lineage.
docs/scale.md and docs/risk.md say how it runs there.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SPARK_MISSING = ("Splink on Spark needs pyspark, pyarrow and pandas: pip install 'qiancheng[spark]' / "
                 "需要安装 Spark 依赖")
DEFAULT_MASTER = "local[2]"


class SparkUnavailable(RuntimeError):
    """pyspark (or Java) is missing: the message says what to install."""


@contextmanager
def splink_spark_api(master: str = DEFAULT_MASTER, partitions: int = 2,
                     checkpoint_dir: Path | None = None) -> Iterator[Any]:
    """A `SparkAPI` on a session of its own, stopped on leaving; Splink's similarity jar is on the classpath
    (it ships with splink; Levenshtein itself is Spark's built-in).

    In local mode Splink's intermediate tables are kept in memory (`persist`) and the JVM starts with the
    client compiler and the serial collector: most of a local run is starting the JVM and Splink's ~40
    small stages. On a cluster they are written to `checkpoint_dir` as Parquet (a folder every executor
    sees), which cuts Spark's lineage without holding every table in executor memory."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import SparkAPI, similarity_jar_location
    except ImportError as exc:
        raise SparkUnavailable(SPARK_MISSING) from exc
    # The Python workers must run this interpreter (its environment has splink and qiancheng).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    local = master.startswith("local")
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # one machine: no need to find a network address
    logging.getLogger("py4j").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="qiancheng-splink-spark-") as scratch:
        folder = str(checkpoint_dir or scratch)
        builder = SparkSession.builder.master(master).appName("qiancheng risk linkage")
        if local:
            # Local mode runs every executor inside the driver's JVM: its heap holds the persisted tables.
            builder = (builder.config("spark.driver.extraJavaOptions", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
                       .config("spark.driver.memory", os.environ.get("QIANCHENG_SPARK_DRIVER_MEMORY", "2g")))
        spark = (
            builder
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.default.parallelism", str(partitions))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.local.dir", scratch)
            .config("spark.sql.warehouse.dir", str(Path(scratch) / "warehouse"))  # not ./spark-warehouse
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        spark.sparkContext.setCheckpointDir(folder)
        try:
            yield SparkAPI(spark_session=spark, break_lineage_method="persist" if local else "parquet",
                           num_partitions_on_repartition=partitions)
        finally:
            spark.stop()
