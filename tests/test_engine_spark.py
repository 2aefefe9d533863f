"""`qiancheng check --engine spark` (local mode) writes the decisions of the plain run, byte for byte.

The Spark run reads the same validated blocks, shuffles rows to their person's partition and calls the
same Polars engine in each task (`mapInArrow`), so any difference is a bug in the plumbing, not a
second reading of the rules. Needs the `spark` extra (pyspark, pyarrow, pandas) and Java 17; CI installs
both. The size is 5,000 claims: on the shared 2-core machines a local Spark session spends most of its
time starting the JVM and the Python workers (20,000 claims took 155 s at load average 13), so 50,000
would break the suite's 60-second budget.
"""

from __future__ import annotations

import shutil

import pytest

from qiancheng.policy.commandline import main
from qiancheng.synth.exchange import generate_exchange

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[spark]' to run the Spark test")
pytest.importorskip("pyarrow", reason="pyarrow is not installed: pip install -e '.[spark]' to run the Spark test")
if shutil.which("java") is None:
    pytest.skip("Java is not installed: Spark's local mode needs Java 17", allow_module_level=True)


def test_spark_decisions_equal_the_plain_run(tmp_path):
    paths = generate_exchange(5_000, 13, tmp_path)
    inputs = ["--claims", str(paths["claims"]), "--history", str(paths["history"]), "--params", str(paths["params"])]
    plain, spark = tmp_path / "plain.csv", tmp_path / "spark.csv"
    assert main(["check", *inputs, "--out", str(plain), "--quiet", "--partitions", "1"]) == 0
    assert main(["check", *inputs, "--out", str(spark), "--quiet", "--engine", "spark", "--master", "local[2]",
                 "--partitions", "3", "--workdir", str(tmp_path)]) == 0
    assert spark.read_bytes() == plain.read_bytes()
    assert plain.read_text(encoding="utf-8").count("\n") == 5_001
