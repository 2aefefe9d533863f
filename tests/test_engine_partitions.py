"""`qiancheng check --partitions N`: person partitions decided by the same engine write the very bytes of
a plain run, and refuse bad input as a plain run does (docs/decision-engine.md, "Partitions")."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from qiancheng.policy import partitioned
from qiancheng.policy.commandline import main
from qiancheng.synth.exchange import generate_exchange


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> dict[str, Path]:
    """3,000 synthetic claims with their history, plus one person written three ways (…x, …X, and with
    spaces) across claims and history, so normalisation must put all of them in one partition."""
    folder = tmp_path_factory.mktemp("partitions")
    paths = generate_exchange(3_000, 11, folder)
    claims = pl.read_csv(paths["claims"], infer_schema=False)
    person = "45030219900307064X"  # valid: its check character is X
    template = claims.filter(pl.col("training_type") == "occupational").head(1)
    extra = pl.concat([
        template.with_columns(claim_id=pl.lit(f"ZZ-{n}"), id_number=pl.lit(written), end_date=pl.lit(end),
                              start_date=pl.lit("2025-01-02"))
        for n, (written, end) in enumerate([(person.lower(), "2025-03-01"), (f" {person} ", "2025-05-01"),
                                            (person, "2026-05-01")])
    ])
    pl.concat([claims, extra]).write_csv(paths["claims"])
    history = pl.read_csv(paths["history"], infer_schema=False)
    past = history.filter(pl.col("record_type") == "claim").head(1).with_columns(
        record_id=pl.lit("ZZ-PAST"), id_number=pl.lit(person.lower()), end_date=pl.lit("2024-06-30"),
        status=pl.lit("paid"))
    pl.concat([history, past]).write_csv(paths["history"])
    return paths


def run(paths: dict[str, Path], out: Path, *extra: str, claims: Path | None = None) -> int:
    return main(["check", "--claims", str(claims or paths["claims"]), "--history", str(paths["history"]),
                 "--params", str(paths["params"]), "--out", str(out), "--quiet", *extra])


def test_partitioned_decisions_are_the_plain_run_byte_for_byte(province, tmp_path, monkeypatch):
    monkeypatch.setattr(partitioned, "BLOCK_ROWS", 700)  # several blocks per file, as a large file has
    plain, split = tmp_path / "plain.csv", tmp_path / "split.csv"
    assert run(province, plain, "--partitions", "1") == 0
    assert run(province, split, "--partitions", "7", "--workdir", str(tmp_path)) == 0
    assert split.read_bytes() == plain.read_bytes()
    decided = pl.read_csv(plain, infer_schema=False)
    assert decided.height == 3_003
    assert decided.filter(pl.col("denied_by").is_null()).height > 2_000  # not a run that denies everything
    # The one person written three ways: the earlier history claim and then the first batch claim count.
    ours = dict(decided.filter(pl.col("claim_id").str.starts_with("ZZ-")).select("claim_id", "denied_by").iter_rows())
    assert ours["ZZ-1"] and "3.5a" in ours["ZZ-1"]
    assert list(tmp_path.glob("qiancheng-partitions-*")) == []  # the partition files are gone


def test_jsonl_output_and_compare_work_on_partitions(province, tmp_path, capsys):
    assert run(province, tmp_path / "plain.jsonl", "--partitions", "1", "--compare", str(province["params"])) == 0
    plain_report = capsys.readouterr().err
    assert run(province, tmp_path / "split.jsonl", "--partitions", "3", "--compare", str(province["params"])) == 0
    assert capsys.readouterr().err == plain_report
    assert (tmp_path / "split.jsonl").read_bytes() == (tmp_path / "plain.jsonl").read_bytes()


def _with_claim_row(paths: dict[str, Path], tmp_path: Path, **changes: str) -> Path:
    claims = pl.read_csv(paths["claims"], infer_schema=False)
    bad = claims.slice(2_500, 1).with_columns(**{k: pl.lit(v) for k, v in changes.items()})
    out = tmp_path / "claims.csv"
    pl.concat([claims, bad]).write_csv(out)
    return out


@pytest.mark.parametrize("changes", [{"end_date": "2025-02-30", "claim_id": "NEW-1"}, {}, {"claim_id": "ZZ-PAST"}],
                         ids=["bad date", "duplicate claim id", "claim also in history"])
def test_bad_input_is_refused_as_in_a_plain_run(province, tmp_path, capsys, monkeypatch, changes):
    monkeypatch.setattr(partitioned, "BLOCK_ROWS", 700)
    claims = _with_claim_row(province, tmp_path, **changes)
    assert run(province, tmp_path / "plain.csv", "--partitions", "1", claims=claims) == 2
    plain_error = capsys.readouterr().err
    assert run(province, tmp_path / "split.csv", "--partitions", "4", claims=claims) == 2
    assert capsys.readouterr().err == plain_error
    assert "3004" in plain_error  # the added row, numbered as in the file
    assert not (tmp_path / "split.csv").exists() and not (tmp_path / "plain.csv").exists()


def test_large_input_is_partitioned_without_being_asked(tmp_path, monkeypatch):
    claims, history = tmp_path / "c.csv", tmp_path / "h.csv"
    claims.write_bytes(b"x" * 1000)
    history.write_bytes(b"x" * 1000)
    assert partitioned.partition_count(claims, history) == 1
    monkeypatch.setattr(partitioned, "AUTO_FROM_BYTES", 1500)
    monkeypatch.setattr(partitioned, "PARTITION_BYTES", 600)
    assert partitioned.partition_count(claims, history) == 4
