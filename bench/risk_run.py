"""Benchmark: every fraud signal and the person linkage against fraud planted in the synthetic province.

    python bench/risk_run.py --people 100000 --seed 7 --workdir /tmp/risk-bench

1. The synthetic province of N people is loaded into a fresh data folder (`qiancheng migrate`, then
   `synth.load.ensure_province`, the path `qiancheng synth` takes). On SQLite the loaded database is kept
   beside it as `pristine.sqlite3`, so a re-run starts from the same province without reloading.
2. `synth.fraud.plant_fraud` plants each kind of fraud, with near misses, and writes the truth to
   `truth.json` in the data folder.
3. Each rule of `risk.signals` runs over the whole province (the rule's own `find`, as `qiancheng risk scan`
   calls it, without storing), then the linkage (`risk.linkage.find_pairs` on `risk.features.person_records`).
4. Per signal: items found on the honest records (after the background, before any plant: each is a false
   alarm), incidents planted, items found, true positives (found items that rest on a planted incident's
   records), planted incidents found (recall), precision, false alarms (found items no plant explains),
   near misses found, seconds. Printed as a Markdown table for bench/README.md, with the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _setup(folder: Path) -> None:
    os.environ["QIANCHENG_DATA_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    import django

    django.setup()


def _province(folder: Path, people: int, seed: int) -> tuple[float, bool]:
    """Seconds spent loading (0 when the pristine copy was reused) and whether it was reused."""
    from django.core.management import call_command
    from django.db import connection

    database = folder / "qiancheng.sqlite3"
    pristine = folder / "pristine.sqlite3"
    if connection.vendor == "sqlite" and pristine.exists():
        connection.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(pristine, database)
        return 0.0, True
    from qiancheng.synth.load import ensure_province

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    ensure_province(people, seed, reset=True, progress=False)
    seconds = time.perf_counter() - started
    if connection.vendor == "sqlite":
        connection.close()
        shutil.copyfile(database, pristine)
    return seconds, False


def _refs(records: list[tuple[str, Any]]) -> set[str]:
    return {f"{model}:{pk}" for model, pk in records}


def score(found_refs: list[set[str]], incidents: list[list[str]], near_misses: list[list[str]],
          other_plants: set[str], exact: bool = False) -> dict[str, Any]:
    """A found item is a true positive when it rests on a planted incident's records (all of them for the
    linkage's pairs, any of them for a signal's group); an incident is recalled when some item does. A false
    alarm that rests on records another kind of plant changed is counted apart (`on_other`)."""
    planted = [set(incident) for incident in incidents]

    def hits(refs: set[str], incident: set[str]) -> bool:
        return refs == incident if exact else bool(refs & incident)

    true_items = [refs for refs in found_refs if any(hits(refs, incident) for incident in planted)]
    true = len(true_items)
    on_other = sum(1 for refs in found_refs if refs not in true_items and refs & other_plants)
    recalled = sum(1 for incident in planted if any(hits(refs, incident) for refs in found_refs))
    near = sum(1 for miss in near_misses if any(hits(refs, set(miss)) for refs in found_refs))
    return {"planted": len(planted), "found": len(found_refs), "true": true, "recalled": recalled,
            "false": len(found_refs) - true, "on_other": on_other, "near": near, "near_planted": len(near_misses)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--incidents", type=int, default=20, help="incidents planted of each kind")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/qiancheng-risk-bench"))
    args = parser.parse_args()
    folder = args.workdir / f"people-{args.people}"
    folder.mkdir(parents=True, exist_ok=True)
    _setup(folder)
    load_seconds, reused = _province(folder, args.people, args.seed)

    from qiancheng.risk import linkage, signals
    from qiancheng.risk.features import person_records
    from qiancheng.synth.fraud import plant_fraud

    def items(each: Any) -> tuple[list[set[str]], float]:
        started = time.perf_counter()
        found = each.find(None)
        seconds = time.perf_counter() - started
        # one item per group of records: a group of two cities is written once per city
        return list({frozenset(_refs(item.records)): _refs(item.records) for item in found}.values()), seconds

    honest: dict[str, int] = {}

    def on_honest_records() -> None:
        for code, each in signals.RULES.items():
            honest[code] = len(items(each)[0])
        honest["linkage"] = len(linkage.find_pairs(person_records(None)))

    started = time.perf_counter()
    truth = plant_fraud(args.seed, folder / "truth.json", args.incidents, before_plants=on_honest_records)
    plant_seconds = time.perf_counter() - started
    rows = []

    def others(code: str) -> set[str]:
        return {ref for signal, refs in truth["touched"].items() if signal != code for ref in refs}

    for code, each in signals.RULES.items():
        distinct, seconds = items(each)
        rows.append((code, score(distinct, truth["incidents"].get(code, []), truth["near_misses"].get(code, []),
                                 others(code)), seconds))
    started = time.perf_counter()
    pairs = linkage.find_pairs(person_records(None))
    seconds = time.perf_counter() - started
    found_pairs = [{f"people.person:{pair.person_a}", f"people.person:{pair.person_b}"} for pair in pairs]
    rows.append(("linkage", score(found_pairs, truth["incidents"].get("linkage", []), [], others("linkage"), exact=True), seconds))

    load = os.getloadavg()
    print(f"people {args.people:,}, seed {args.seed}, load {'reused' if reused else f'{load_seconds:.1f} s'}, "
          f"planting with the honest run {plant_seconds:.1f} s, load average {load[0]:.1f} / {load[1]:.1f} / "
          f"{load[2]:.1f}")
    print("| signal | found on honest records | planted | found | true positives | recall | precision "
          "| not planted (on another plant) | near misses found | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for code, result, seconds in rows:
        recall = f"{result['recalled'] / result['planted']:.2f}" if result["planted"] else "—"
        precision = f"{result['true'] / result['found']:.2f}" if result["found"] else "—"
        near = f"{result['near']} of {result['near_planted']}" if result["near_planted"] else "—"
        print(f"| `{code}` | {honest[code]} | {result['planted']} | {result['found']} | {result['true']} | {recall} | {precision} "
              f"| {result['false']} ({result['on_other']}) | {near} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
