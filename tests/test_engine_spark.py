"""`qiancheng check --engine spark` (local mode) writes the decisions of the plain run, byte for byte.

The Spark run reads the same validated blocks, shuffles rows to their person's partition and calls the
same Polars engine in each task (`mapInArrow`), so any difference is a bug in the plumbing, not a
second reading of the rules. Needs the `spark` extra (pyspark, pyarrow, pandas: `pip install -e
'.[spark]'`) and Java 17; without either the test is skipped and says which is missing.

The batch is small on purpose: 400 claims with their history (grants, history-based denials, a
blacklist entry) spread over 3 partitions by person. Scale is measured in bench/engine_run.py, not
here; what costs time in this test is starting the JVM and the Python workers, so Spark runs in
local[1] with the smallest configuration (no UI, 512 MiB driver, serial GC, client JIT only).
"""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from qiancheng.policy.commandline import main
from qiancheng.policy.partitioned import partition_of
from qiancheng.synth.exchange import generate_exchange

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[spark]' to run the Spark test")
pytest.importorskip("pyarrow", reason="pyarrow is not installed: pip install -e '.[spark]' to run the Spark test")
if shutil.which("java") is None:
    pytest.skip("Java is not installed: Spark's local mode needs Java 17", allow_module_level=True)

CLAIMS = 400
PARTITIONS = 3
# Read by pyspark when it launches the JVM; the session's own settings (qiancheng.policy.spark) come on top.
SMALL_SPARK = " ".join([
    "--driver-memory 512m",
    "--conf spark.ui.enabled=false",
    "--conf spark.ui.showConsoleProgress=false",
    f"--conf spark.sql.shuffle.partitions={PARTITIONS}",
    "--conf spark.default.parallelism=1",
    "--conf spark.sql.adaptive.enabled=false",
    "--conf 'spark.driver.extraJavaOptions=-XX:+UseSerialGC -XX:TieredStopAtLevel=1'",  # shlex-split
    "pyspark-shell",
])


def test_spark_decisions_equal_the_plain_run(tmp_path, monkeypatch):
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", SMALL_SPARK)
    paths = generate_exchange(CLAIMS, 13, tmp_path)
    inputs = ["--claims", str(paths["claims"]), "--history", str(paths["history"]), "--params", str(paths["params"])]
    plain, spark = tmp_path / "plain.csv", tmp_path / "spark.csv"
    assert main(["check", *inputs, "--out", str(plain), "--quiet", "--partitions", "1"]) == 0
    assert main(["check", *inputs, "--out", str(spark), "--quiet", "--engine", "spark", "--master", "local[1]",
                 "--partitions", str(PARTITIONS), "--workdir", str(tmp_path)]) == 0
    assert spark.read_bytes() == plain.read_bytes()

    # The batch exercises what the equality is worth: every partition holds persons, and there are
    # grants and denials, some of them by the history (3.5: earlier claims of the same person).
    claims = pl.read_csv(paths["claims"], infer_schema=False)
    assert partition_of(claims["id_number"], PARTITIONS).n_unique() == PARTITIONS
    decided = pl.read_csv(plain, infer_schema=False)
    assert decided.height == CLAIMS
    assert decided.filter(pl.col("eligible") == "true").height > CLAIMS // 2
    denied = decided.filter(pl.col("eligible") == "false")["denied_by"]
    assert denied.len() > 0 and denied.str.starts_with("3.5").any()
    assert list(tmp_path.glob("qiancheng-spark-*")) == []  # the work folder is gone
