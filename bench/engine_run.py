"""Benchmark: the decision engine (plain, partitioned, on Spark) against the independent DuckDB reference.

    python bench/engine_run.py --claims 200000 1000000 --seed 7 --repeat 3 --workdir /tmp/qc-bench

For each size it generates claims, history and parameters in the exchange format (the synthetic
province's `generate_exchange`), then runs, each in its own process under `/usr/bin/time -v`, `--repeat`
times each, the modes alternating (auto, reference, auto, reference, ...), so that every mode sees the same
load on a shared machine:

- `auto`: `qiancheng check …` as a user runs it (the partitions chosen by the input's size);
- `plain`: `qiancheng check … --partitions 1` (one process, the whole batch at once);
- `partitions4`: `qiancheng check … --partitions 4` (person partitions decided one after another);
- `spark`: `qiancheng check … --engine spark --master local[2] --partitions 4` (needs the `spark` extra
  and Java 17);
- `reference`: `bench/reference_duckdb.py` (RULES.md in DuckDB SQL, sharing no code with the engine).

Each figure is the median wall time of the runs, the peak resident memory of the largest single process
(`/usr/bin/time -v`, which for Spark is usually the JVM) and the peak of the whole process tree's
resident memory (sampled every 0.2 s from /proc: the driver, the JVM and Spark's Python workers
together), with the 1-minute load average before the first and after the last run of the size. Every
engine run's decisions file is compared byte for byte with the first engine mode's, and that one row for
row with the reference's; each engine mode's median time and peak are also given as a ratio to the
reference's. Results are printed as a Markdown table to paste into bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
MODES = ("auto", "plain", "partitions4", "spark", "reference")
# Spark's JVM as the command starts it; the session's own settings (qiancheng/policy/spark.py) come on top.
SPARK_SUBMIT_ARGS = "--driver-memory 2g --conf spark.ui.showConsoleProgress=false pyspark-shell"


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants (KiB), read from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)  # fields[1] is the parent
        rss[pid] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak MiB of the largest process, and sampled peak MiB of the whole process tree."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(["/usr/bin/time", "-v", *command], stdout=subprocess.DEVNULL, stderr=err,
                                   env=env)
        tree_peak = 0
        while process.poll() is None:
            tree_peak = max(tree_peak, _tree_rss_kib(process.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - started
        err.seek(0)
        stderr = err.read()
    if process.returncode != 0:
        sys.exit(f"{command[0]} failed ({process.returncode}):\n{stderr[-3000:]}")
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr).group(1))
    return wall, peak_kib / 1024, max(tree_peak, peak_kib) / 1024


def agree(ours: Path, reference: Path) -> tuple[int, int]:
    """Rows compared and rows that differ (all six columns, as text)."""
    a = pl.read_csv(ours, infer_schema=False).fill_null("")
    b = pl.read_csv(reference, infer_schema=False).fill_null("")
    if a.height != b.height:
        return a.height, abs(a.height - b.height)
    joined = a.join(b, on="claim_id", suffix="_ref", how="full")
    differ = joined.filter(pl.any_horizontal(pl.col(c) != pl.col(f"{c}_ref") for c in a.columns if c != "claim_id"))
    if differ.height:
        print(differ.head(10), file=sys.stderr)
    return a.height, differ.height


def command_of(mode: str, inputs: list[str], out: Path, workdir: Path, master: str) -> list[str]:
    check = [sys.executable, "-m", "qiancheng", "check", *inputs, "--out", str(out), "--quiet"]
    if mode == "auto":
        return [*check, "--workdir", str(workdir)]
    if mode == "plain":
        return [*check, "--partitions", "1"]
    if mode == "partitions4":
        return [*check, "--partitions", "4", "--workdir", str(workdir)]
    if mode == "spark":
        return [*check, "--engine", "spark", "--master", master, "--partitions", "4", "--workdir", str(workdir)]
    return [sys.executable, "-W", "ignore", str(HERE / "reference_duckdb.py"), *inputs, "--out", str(out)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, nargs="+", default=[200_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=["auto", "reference"])
    parser.add_argument("--master", default="local[2]", help="Spark master of the spark mode")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/qiancheng-bench"))
    parser.add_argument("--reuse", action="store_true",
                        help="use the files already generated in --workdir (the same size and seed give the same files)")
    args = parser.parse_args()
    # The synthetic province reads the programme clock, which is Django's: settings first.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    os.environ.setdefault("QIANCHENG_DATA_DIR", tempfile.mkdtemp(prefix="qiancheng-bench-data-"))
    import django

    django.setup()
    from qiancheng.synth.exchange import generate_exchange

    env = {**os.environ, "PYSPARK_SUBMIT_ARGS": os.environ.get("PYSPARK_SUBMIT_ARGS", SPARK_SUBMIT_ARGS),
           "PYTHONWARNINGS": "ignore"}
    rows = []
    for size in args.claims:
        folder = args.workdir / f"n{size}"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        paths = {name: folder / f"{name}.{'json' if name == 'params' else 'csv'}" for name in ("claims", "history", "params")}
        if not (args.reuse and all(path.exists() for path in paths.values())):
            paths = generate_exchange(size, args.seed, folder)
        generated = time.perf_counter() - started
        history_rows = sum(1 for _ in paths["history"].open(encoding="utf-8")) - 1
        print(f"{size:,} claims, {history_rows:,} history rows: generated in {generated:.1f} s", file=sys.stderr)
        inputs = ["--claims", str(paths["claims"]), "--history", str(paths["history"]), "--params", str(paths["params"])]
        outputs = {mode: folder / f"decisions-{mode}.csv" for mode in args.modes}
        runs: dict[str, list[tuple[float, float, float]]] = {mode: [] for mode in args.modes}
        load_before = os.getloadavg()[0]
        for _ in range(args.repeat):
            for mode in args.modes:  # alternating: each mode's runs spread over the same stretch of load
                runs[mode].append(timed(command_of(mode, inputs, outputs[mode], folder, args.master), env))
        load_after = os.getloadavg()[0]
        engines = [mode for mode in args.modes if mode != "reference"]
        medians = {mode: statistics.median(wall for wall, _, _ in runs[mode]) for mode in args.modes}
        peaks = {mode: max(m for _, m, _ in runs[mode]) for mode in args.modes}
        for mode in args.modes:
            walls = [wall for wall, _, _ in runs[mode]]
            if mode == "reference" and engines:
                compared, differing = agree(outputs[engines[0]], outputs[mode])
                same = f"{differing:,} of {compared:,} rows differ from {engines[0]}"
            elif mode == "reference":
                same = "-"
            elif mode == engines[0]:
                same = "(itself)"
            else:
                same = "yes" if outputs[mode].read_bytes() == outputs[engines[0]].read_bytes() else "NO"
            if "reference" in args.modes and mode != "reference":
                ratio = f"{medians[mode] / medians['reference']:.2f} / {peaks[mode] / peaks['reference']:.2f}"
            else:
                ratio = "-"
            rows.append((size, history_rows, mode, medians[mode], min(walls), max(walls), peaks[mode],
                         max(t for _, _, t in runs[mode]), load_before, load_after, ratio, same))
            print(f"  {mode}: {' '.join(f'{w:.1f}' for w in walls)} s, peak {peaks[mode]:,.0f} MiB", file=sys.stderr)
        print(f"  load {load_before:.1f}-{load_after:.1f}", file=sys.stderr)
    print(f"{args.repeat} runs each, seed {args.seed}\n")
    print("| claims | history rows | run | median s | min-max s | time -v peak MiB | process tree peak MiB "
          "| load avg before-after | time / memory vs reference | same decisions |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for size, history_rows, mode, median, low, high, peak, tree, before, after, ratio, same in rows:
        print(f"| {size:,} | {history_rows:,} | {mode} | {median:.1f} | {low:.1f}-{high:.1f} | {peak:,.0f} | {tree:,.0f} "
              f"| {before:.1f}-{after:.1f} | {ratio} | {same} |")


if __name__ == "__main__":
    main()
