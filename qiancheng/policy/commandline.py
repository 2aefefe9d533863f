"""`qiancheng check` and `qiancheng explain`: decide claims from exchange files, no database needed.

Exit status: 0 done; 2 the input or the parameters break the format (message on stderr, nothing written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from qiancheng.policy.batch import BatchInput, load_batch, load_params, run, run_date
from qiancheng.policy.engine import DecisionRun
from qiancheng.policy.exchange import ExchangeError, write_decisions
from qiancheng.policy.params import ParameterError, ParamSet
from qiancheng.policy.partitioned import decide_partitioned, partition_count

PROGRESS_FROM_ROWS = 50_000  # below this a run takes well under a second: no bar


def main(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code else 0
    try:
        return args.handler(args)
    except (ExchangeError, ParameterError) as error:
        print(f"qiancheng {args.command}: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qiancheng", description="前程 subsidy decisions from exchange files")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="decide claims (EXCHANGE.md files) / 批量判定补贴申请")
    _inputs(check)
    check.add_argument("--out", type=Path, required=True, help="decisions file: .csv, .jsonl, .parquet or .xlsx")
    check.add_argument("--compare", type=Path, metavar="PARAMS",
                       help="also decide with these parameters and report what changes (a 'what if')")
    check.add_argument("--compare-out", type=Path, help="with --compare: write the changed claims here (.csv)")
    check.add_argument("--manifest", type=Path, help="write the run's parameter set and rule version here (JSON)")
    check.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    check.add_argument("--partitions", type=_positive, metavar="N",
                       help="decide in N partitions by person (default: 1 for small input, more for large)")
    check.add_argument("--engine", choices=("polars", "spark"), default="polars",
                       help="spark: the same partitions decided on Apache Spark (pip install 'qiancheng[spark]')")
    check.add_argument("--master", default="local[*]", help="with --engine spark: the Spark master URL")
    check.add_argument("--workdir", type=Path,
                       help="folder for the partition files (default: the system's temporary folder)")
    check.set_defaults(handler=_check)

    explain = commands.add_parser("explain", help="why one claim was decided so / 解释一项判定")
    _inputs(explain)
    explain.add_argument("--claim-id", required=True)
    explain.add_argument("--lang", choices=("zh", "en"), default="zh")
    explain.add_argument("--json", action="store_true", help="the explanation as JSON")
    explain.set_defaults(handler=_explain)
    return parser


def _inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--claims", type=Path, required=True, help="claims file (.csv, .jsonl, .parquet, .xlsx)")
    parser.add_argument("--history", type=Path, help="history file; none = no history")
    parser.add_argument("--params", type=Path,
                        help="the complete parameter set (JSON); default: the product's packaged parameters")
    parser.add_argument("--override", type=Path, help="a partial 'what if' change applied on top of the parameters")
    parser.add_argument("--as-of", type=_date, help="decision date YYYY-MM-DD (default: params as_of_date, else today)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from exc


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number ≥ 1: {text!r}")
    return int(text)


def _check(args: argparse.Namespace) -> int:
    partitions = args.partitions or partition_count(args.claims, args.history)
    if args.engine == "spark" or partitions > 1:
        return _check_partitioned(args, partitions)
    started = time.perf_counter()
    batch = load_batch(args.claims, args.history, args.params, args.override, args.as_of)
    bar = _progress_bar(batch, args.quiet)
    try:
        result = run(batch, progress=bar.step if bar else None)
        compared = None
        if args.compare:
            other = BatchInput(batch.claims, batch.history, load_params(args.compare, None), batch.as_of)
            compared = run(other)
    finally:
        if bar:
            bar.close()
    _finish(args, batch.params, result, compared, started)
    return 0


def _check_partitioned(args: argparse.Namespace, partitions: int) -> int:
    """A large batch (or `--partitions`, `--engine spark`): person partitions, each by the same engine."""
    started = time.perf_counter()
    for path in (args.claims, args.history):
        if path is not None and not path.exists():
            raise ExchangeError([f"{path}: 文件不存在 / file not found"])
    params = load_params(args.params, args.override)
    param_sets = [params] + ([load_params(args.compare, None)] if args.compare else [])
    as_of = run_date(args.as_of, params)
    if args.engine == "spark":
        from qiancheng.policy.spark import SparkUnavailable, decide_on_spark

        try:
            runs = decide_on_spark(args.claims, args.history, param_sets, as_of, partitions, master=args.master,
                                   workdir=args.workdir, quiet=args.quiet)
        except SparkUnavailable as error:
            print(f"qiancheng check: {error}", file=sys.stderr)
            return 2
    else:
        bar = None if args.quiet else _PartitionBar(partitions)
        try:
            runs = decide_partitioned(args.claims, args.history, param_sets, as_of, partitions,
                                      workdir=args.workdir, progress=bar.step if bar else None)
        finally:
            if bar:
                bar.close()
    _finish(args, params, runs[0], runs[1] if args.compare else None, started)
    return 0


def _finish(args: argparse.Namespace, params: ParamSet, result: DecisionRun, compared: DecisionRun | None,
            started: float) -> None:
    write_decisions(result.decisions, args.out)
    if args.manifest:
        args.manifest.write_text(json.dumps({
            "params_id": result.params_id, "rule_version": result.rule_version,
            "as_of": result.as_of.isoformat(), "params": params.to_exchange(),
        }, ensure_ascii=False, indent=2), encoding="utf-8")
    if compared is not None:
        from qiancheng.policy.compare import compare_runs, describe_comparison

        comparison = compare_runs(result.decisions, compared.decisions)
        print(describe_comparison(comparison), file=sys.stderr)
        if args.compare_out:
            comparison.changed.write_csv(args.compare_out)
    if not args.quiet:
        eligible = int(result.decisions["eligible"].sum())
        print(f"{result.decisions.height} 项申请已判定 / claims decided: {eligible} 符合 / eligible, "
              f"{result.decisions.height - eligible} 不符合 / denied; 参数 / params {result.params_id}, "
              f"规则版本 / rules {result.rule_version}, 判定日 / as of {result.as_of}; "
              f"{time.perf_counter() - started:.1f} s → {args.out}", file=sys.stderr)


def _explain(args: argparse.Namespace) -> int:
    from qiancheng.policy.explain import explain_claim, render_text

    batch = load_batch(args.claims, args.history, args.params, args.override, args.as_of)
    explanation = explain_claim(batch, args.claim_id)
    if args.json:
        print(json.dumps(explanation.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(render_text(explanation, args.lang))
    return 0


class _PartitionBar:
    """A terminal progress bar over the partitions of a large batch."""

    def __init__(self, partitions: int):
        from tqdm import tqdm

        self._bar = tqdm(total=partitions, desc="判定 deciding", unit="partition", file=sys.stderr, leave=False)

    def step(self, done: int, total: int) -> None:
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()


class _Bar:
    """A terminal progress bar over the engine's stages, for large batches."""

    STAGES = ("claim rules", "history", "batch order", "amounts")

    def __init__(self, total_rows: int):
        from tqdm import tqdm

        self._bar = tqdm(total=len(self.STAGES), desc=f"判定 deciding {total_rows:,} claims", unit="stage",
                         file=sys.stderr, leave=False)

    def step(self, stage: str) -> None:
        if stage in self.STAGES:
            self._bar.update(1)
        self._bar.set_postfix_str(stage)

    def close(self) -> None:
        self._bar.close()


def _progress_bar(batch: BatchInput, quiet: bool) -> _Bar | None:
    if quiet or batch.claims.height < PROGRESS_FROM_ROWS:
        return None
    return _Bar(batch.claims.height)
