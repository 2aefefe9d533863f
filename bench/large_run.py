"""Benchmark: `qiancheng check` on a national-scale exchange set (issue 14 item 2, 30,000,000 claims).

    python bench/large_run.py --claims 30000000 --chunk 1000000 --distinct 3 --seed 7 --workdir /tmp/qc-30m

`generate_exchange` builds a whole synthetic province in memory (about 2.4 GiB at 1,000,000 claims), so
30 M claims at once would need far more than the machine has, and generating 30 provinces takes hours on
a busy 2-core machine. The set is therefore written in chunks of `--chunk` claims from `--distinct`
generated provinces (`generate_exchange(chunk, seed + i)`, i < distinct): chunk k is province k mod
distinct, copy k // distinct. In every chunk the claim IDs become `C` + k (3 digits) + the province's own
digits and the history record IDs get the prefix `k-`, so IDs stay unique and the claims file stays in
claim-ID order; in copy j > 0 every ID number is moved by `with_copied_ids` (a one-to-one change of two
sequence digits that keeps region, birth date, sex and whether the check character is right), so each
copy is a different set of persons with the same shape of history. The chunk's rows are appended to one
claims.csv and one history.csv; every province writes the same parameter set, which is checked. The same
arguments give byte-identical files. An ID number that a copy happens to move onto another person's is
one person with the history of both, as happens in a country-wide file.

Then `qiancheng check` (as a user runs it: partitions chosen by the input's size, block files in the
work folder) runs once under `/usr/bin/time -v`; wall time, peak resident memory, the file sizes and the
decisions' counts are printed. The generated files are deleted afterwards unless `--keep`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

# GB 11643: the check character is CHECK_CHARACTERS[Σ digit x weight mod 11] over the first 17 digits.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
ID_SHAPE = r"^[0-9]{17}[0-9Xx]$"


def with_copied_ids(frame: pl.DataFrame, copy: int, also: tuple[str, ...] = ()) -> pl.DataFrame:
    """`id_number` of a person's `copy`-th copy: the two sequence digits before the sex digit shifted by
    37 x copy (mod 100), a one-to-one map that keeps region, birth date and sex; a number whose check
    character was right gets the right one again, a wrong one stays wrong; other shapes are kept. The
    columns `also` are moved alike where they hold the row's own ID number (an individual who advanced
    or claims the money is the trainee)."""
    if copy == 0:
        return frame
    old = pl.col("id_number")
    digit = [old.str.slice(i, 1).cast(pl.Int64, strict=False) for i in range(17)]
    work = frame.with_columns(
        old.str.contains(ID_SHAPE).fill_null(False).alias("__shaped"),
        pl.sum_horizontal(d * w for d, w in zip(digit, WEIGHTS, strict=True)).alias("__sum"),
        (digit[14] * 10 + digit[15]).alias("__seq"),
    ).with_columns(((pl.col("__seq") + 37 * copy) % 100).alias("__new_seq"))
    # Only the two sequence digits change, so the weighted sum changes by their weights (8 and 4).
    new_sum = pl.col("__sum") + 8 * (pl.col("__new_seq") // 10 - digit[14]) + 4 * (pl.col("__new_seq") % 10 - digit[15])
    characters = dict(enumerate(CHECK_CHARACTERS))
    work = work.with_columns(
        (pl.col("__sum") % 11).replace_strict(characters, return_dtype=pl.String).alias("__old_check"),
        (new_sum % 11).replace_strict(characters, return_dtype=pl.String).alias("__new_check"),
    )
    given = old.str.slice(17, 1).str.to_uppercase()
    check = (pl.when(given == pl.col("__old_check")).then(pl.col("__new_check"))
             .when(given != pl.col("__new_check")).then(given)
             .when(pl.col("__new_check") == "0").then(pl.lit("1")).otherwise(pl.lit("0")))
    moved = old.str.slice(0, 14) + pl.col("__new_seq").cast(pl.String).str.zfill(2) + old.str.slice(16, 1) + check
    work = work.with_columns(pl.when(pl.col("__shaped")).then(moved).otherwise(old).alias("__moved"))
    return work.with_columns(
        *(pl.when(pl.col(name) == old).then(pl.col("__moved")).otherwise(pl.col(name)).alias(name) for name in also),
        pl.col("__moved").alias("id_number"),
    ).select(frame.columns)


def _chunk_frames(base: dict[str, Path], index: int, copy: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    claims = pl.read_csv(base["claims"], infer_schema=False).with_columns(
        # C00000001 -> C00700000001 in chunk 7: unique, and chunk order is claim-ID order.
        (pl.lit(f"C{index:03d}") + pl.col("claim_id").str.slice(1)).alias("claim_id"))
    claims = with_copied_ids(claims, copy, also=("advanced_by_id", "claimant_id"))
    history = pl.read_csv(base["history"], infer_schema=False).with_columns(
        (pl.lit(f"{index:03d}-") + pl.col("record_id")).alias("record_id"))
    return claims, with_copied_ids(history, copy)


def generate_chunked(total: int, chunk: int, seed: int, folder: Path, distinct: int) -> dict[str, Path]:
    """claims.csv, history.csv and params.json of `total` claims, `chunk` claims at a time.

    Chunk k is a copy of base province k mod `distinct` (`generate_exchange(chunk, seed + k mod distinct)`),
    copy number k // `distinct`: claim and record IDs made unique, ID numbers moved by `copied_id`.
    """
    from qiancheng.synth.exchange import generate_exchange

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"claims": folder / "claims.csv", "history": folder / "history.csv", "params": folder / "params.json"}
    chunks = -(-total // chunk)
    if chunks > 999:
        raise SystemExit("at most 999 chunks: the chunk number is three digits of the claim ID")
    bases: dict[int, dict[str, Path]] = {}
    with paths["claims"].open("wb") as claims_out, paths["history"].open("wb") as history_out:
        for index in range(chunks):
            started = time.perf_counter()
            size = min(chunk, total - index * chunk)
            base_no, copy = index % distinct, index // distinct
            if size != chunk:  # a short last chunk is a province of its own
                base_no, copy = -1, 0
            base_folder = folder / f"base-{base_no + 1:03d}"
            if base_no not in bases and (base_folder / "params.json").exists():  # a re-run after an interruption
                bases[base_no] = {name: base_folder / f"{name}.{'json' if name == 'params' else 'csv'}"
                                  for name in ("claims", "history", "params")}
            if base_no not in bases:
                bases[base_no] = generate_exchange(size, seed + (chunks if base_no < 0 else base_no), base_folder)
                params = bases[base_no]["params"].read_bytes()
                if not paths["params"].exists():
                    paths["params"].write_bytes(params)
                elif params != paths["params"].read_bytes():
                    raise SystemExit(f"base province {base_no} wrote a different parameter set")
            claims, history = _chunk_frames(bases[base_no], index, copy)
            claims.write_csv(claims_out, include_header=index == 0)
            history.write_csv(history_out, include_header=index == 0)
            del claims, history
            print(f"  chunk {index + 1}/{chunks}: {size:,} claims (province {base_no + 1}, copy {copy}) in "
                  f"{time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    for base in bases.values():
        shutil.rmtree(base["claims"].parent)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=30_000_000)
    parser.add_argument("--chunk", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--distinct", type=int, default=3,
                        help="distinct provinces generated; the other chunks are copies of them with new IDs")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/qiancheng-30m"))
    parser.add_argument("--keep", action="store_true", help="keep the generated files and the decisions")
    parser.add_argument("--skip-generate", action="store_true", help="the files are already in --workdir")
    parser.add_argument("--generate-only", action="store_true", help="write the files, do not run the check")
    args = parser.parse_args()
    # The synthetic province reads the programme clock, which is Django's: settings first.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    os.environ.setdefault("QIANCHENG_DATA_DIR", tempfile.mkdtemp(prefix="qiancheng-bench-data-"))
    import django

    django.setup()
    folder = args.workdir / f"n{args.claims}"
    if args.skip_generate:
        paths = {"claims": folder / "claims.csv", "history": folder / "history.csv", "params": folder / "params.json"}
    else:
        started = time.perf_counter()
        paths = generate_chunked(args.claims, args.chunk, args.seed, folder, args.distinct)
        print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        if args.generate_only:
            return
    sizes = {name: path.stat().st_size for name, path in paths.items()}
    out = folder / "decisions.csv"
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "qiancheng", "check", "--claims", str(paths["claims"]),
               "--history", str(paths["history"]), "--params", str(paths["params"]), "--out", str(out),
               "--workdir", str(folder)]
    load_before = os.getloadavg()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    load_after = os.getloadavg()
    print(done.stderr[-4000:], file=sys.stderr)
    if done.returncode != 0:
        sys.exit(f"qiancheng check failed ({done.returncode})")
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    decisions = pl.scan_csv(out, infer_schema=False).select(
        pl.len().alias("rows"), (pl.col("eligible") == "true").sum().alias("eligible")).collect()
    history_rows = pl.scan_csv(paths["history"], infer_schema=False).select(pl.len()).collect().item()
    print(f"claims file {sizes['claims'] / 2**30:.2f} GiB, history file {sizes['history'] / 2**30:.2f} GiB "
          f"({history_rows:,} rows), decisions file {out.stat().st_size / 2**30:.2f} GiB")
    print(f"decided {decisions['rows'][0]:,} claims, {decisions['eligible'][0]:,} eligible")
    print(f"wall {wall:.0f} s, peak {peak_kib / 1024:,.0f} MiB, load average before {load_before}, after {load_after}")
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
