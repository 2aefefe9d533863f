"""Synthetic subsidy claims for finished trainings, in every status, with deliberate defects.

Who advances and who claims follows 3.6 (谁垫付、谁申领); funds follow 5.1-5.3. Each defect is named
in `defect` so a test can tell the engine's denials apart from the generator's mistakes.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from qiancheng.policy.params import plan_figures
from qiancheng.policy.rules import in_force
from qiancheng.policy.vocabulary import CLAIM_STATUSES
from qiancheng.synth import params as standards
from qiancheng.synth.columns import labels, masked
from qiancheng.synth.population import pick

CLAIM_AFTER_DAYS = 10  # a claim is filed no sooner than this after the class ends
CLAIM_RATE_PASSED = 0.96
CLAIM_RATE_FAILED = 0.02  # 5.1/5.2b defect: a claim for someone who did not pass
STATUSES = CLAIM_STATUSES
PROOF_KINDS = ("labour_contract", "wage_statement", "social_insurance_record")
STATUS_SHARES = (0.03, 0.07, 0.78, 0.09, 0.03)
DEFECT_STATUS_SHARES = (0.10, 0.05, 0.35, 0.45, 0.05)
UI_WITHOUT_BENEFIT_SHARE = 0.0015  # 5.3 defect
SPECIAL_BY_ENTERPRISE_SHARE = 0.01  # 5.2a defect
CLAIMANT_NOT_ADVANCER_SHARE = 0.002  # 3.6 defect
BOTH_FUNDS_SHARE = 0.003  # 5.2d defect: the same project enrolment claimed from the other fund too
PROOF_AFTER_AS_OF_SHARE = 0.001  # data.dates defect: an employment proof dated after the as-of date


def claim_frame(enrolments: pl.DataFrame, classes: pl.DataFrame, persons: pl.DataFrame,
                institutions: pl.DataFrame, enterprises: pl.DataFrame, projects: pl.DataFrame) -> pl.DataFrame:
    """Enrolments joined with what a claim needs to know about the class, person and payers."""
    project_payer = projects.select("project_no", "enterprise_no").join(
        enterprises.select("enterprise_no", pl.col("uscc").alias("applicant_uscc")), on="enterprise_no", maintain_order="left",
    )
    return (
        enrolments.join(classes, on="class_no", maintain_order="left")
        .join(persons.select("person_no", "id_number", "receiving_unemployment_benefit"), on="person_no", maintain_order="left")
        .join(institutions.select("institution_no", pl.col("uscc").alias("institution_uscc")), on="institution_no", maintain_order="left")
        .join(project_payer, on="project_no", how="left", maintain_order="left")
    )


def claims(rng: np.random.Generator, frame: pl.DataFrame, enterprises: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One claim per finished, claimed enrolment (plus 5.2d doubles), with fund, payer and status."""
    due = frame.filter(pl.col("end_date") <= pl.lit(as_of) - pl.duration(days=CLAIM_AFTER_DAYS))
    draw = rng.random(due.height)
    passed = due["passed"].fill_null(False).to_numpy()
    due = due.filter(pl.Series(np.where(passed, draw < CLAIM_RATE_PASSED, draw < CLAIM_RATE_FAILED)))
    due = _funds(rng, due)
    due = _payers(rng, due, enterprises)
    due = _both_funds(rng, due)
    due = _proofs(rng, due, as_of)
    due = _statuses(rng, due, as_of)
    due = due.with_columns(_requested_amount().alias("amount_requested"))
    return due.sort("end_date", "enrolment_no", "copy").drop("copy").with_row_index("claim_no").with_columns(
        pl.col("claim_no").cast(pl.Int64),
        pl.format("C{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(8)).alias("claim_id"),
    )


def _add_defect(label: str, condition: pl.Expr) -> pl.Expr:
    return pl.when(condition & pl.col("defect").is_null()).then(pl.lit(label)).otherwise(pl.col("defect")).alias("defect")


FUNDS = ("employment_subsidy", "special_account", "unemployment_insurance")
PAYERS = ("institution", "individual", "enterprise")


def _funds(rng: np.random.Generator, due: pl.DataFrame) -> pl.DataFrame:
    draw = rng.random(due.height)
    defect_draw = rng.random(due.height)
    project = due["training_type"].to_numpy() == "project"
    benefit = due["receiving_unemployment_benefit"].to_numpy()
    # Index into FUNDS. 5.3: people on unemployment benefit are mostly trained on the UI fund.
    fund = np.where(project, np.where(draw < 0.75, 1, 0), np.where(benefit & (draw < 0.7), 2, 0))
    ui_defect = (~project) & (~benefit) & (defect_draw < UI_WITHOUT_BENEFIT_SHARE)
    fund[ui_defect] = 2
    failed = ~pl.col("passed").fill_null(False)
    special = pl.col("fund") == "special_account"
    return due.with_columns(labels("fund", FUNDS, fund)).with_columns(
        _add_defect("not_passed_special_account", failed & special),
    ).with_columns(
        _add_defect("not_passed", failed & ~special),
    ).with_columns(_add_defect("ui_without_benefit", pl.Series(ui_defect)))


def _payers(rng: np.random.Generator, due: pl.DataFrame, enterprises: pl.DataFrame) -> pl.DataFrame:
    """3.6 and 5.2a: who advanced the cost (谁垫付) and who claims it (谁申领)."""
    size = due.height
    special = due["fund"].to_numpy() == "special_account"
    project = due["training_type"].to_numpy() == "project"
    draw = rng.random(size)
    kind = np.where(draw < 0.70, 0, np.where(draw < 0.92, 1, 2))  # index into PAYERS
    kind = np.where(project, np.where(special, 0, 2), kind)
    # 5.2a defect: the applicant enterprise, not the institution, claims the special account.
    # One defect per claim, so each labelled claim is denied by the rule its label names.
    clean = due["defect"].is_null().to_numpy()
    by_enterprise = special & clean & (rng.random(size) < SPECIAL_BY_ENTERPRISE_SHARE)
    kind[by_enterprise] = 2
    # 3.6 defect: the institution claims what the trainee advanced (or the other way round).
    swap = clean & ~by_enterprise & (rng.random(size) < CLAIMANT_NOT_ADVANCER_SHARE)
    claimant = np.where(swap, np.where(kind == 0, 1, 0), kind)
    employer = enterprises["uscc"].gather(rng.integers(0, enterprises.height, size))
    frame = due.with_columns(
        labels("advanced_by", PAYERS, kind), labels("claimant", PAYERS, claimant), employer.alias("employer_uscc"),
    )
    enterprise_id = pl.when(pl.col("training_type") == "project").then(pl.col("applicant_uscc")).otherwise(
        pl.col("employer_uscc")
    )

    def party_id(column: str) -> pl.Expr:
        return (
            pl.when(pl.col(column) == "institution").then(pl.col("institution_uscc"))
            .when(pl.col(column) == "individual").then(pl.col("id_number"))
            .otherwise(enterprise_id)
        )

    return frame.with_columns(
        party_id("advanced_by").alias("advanced_by_id"), party_id("claimant").alias("claimant_id"),
    ).drop("employer_uscc").with_columns(
        _add_defect("special_account_by_enterprise", pl.Series(by_enterprise)),
    ).with_columns(_add_defect("claimant_not_advancer", pl.Series(swap)))


def _both_funds(rng: np.random.Generator, due: pl.DataFrame) -> pl.DataFrame:
    """5.2d defect: a project enrolment claimed from both the special account and the employment fund."""
    project = due.filter((pl.col("training_type") == "project") & pl.col("defect").is_null())
    doubled = project.filter(pl.Series(rng.random(project.height) < BOTH_FUNDS_SHARE))
    doubled = doubled.with_columns(
        pl.when(pl.col("fund") == "special_account").then(pl.lit("employment_subsidy"))
        .otherwise(pl.lit("special_account")).alias("fund"),
        pl.lit("both_funds").alias("defect"),
    ).with_columns(
        pl.when(pl.col("fund") == "special_account").then(pl.lit("institution")).otherwise(pl.lit("enterprise"))
        .alias("advanced_by"),
    ).with_columns(
        pl.col("advanced_by").alias("claimant"),
        pl.when(pl.col("advanced_by") == "institution").then(pl.col("institution_uscc"))
        .otherwise(pl.col("applicant_uscc")).alias("advanced_by_id"),
    ).with_columns(pl.col("advanced_by_id").alias("claimant_id"))
    # The copy sorts after its original (same end date), so the copy is the one 5.2d denies.
    return pl.concat([due.with_columns(pl.lit(0).alias("copy")), doubled.select(due.columns).with_columns(pl.lit(1).alias("copy"))])


def _proofs(rng: np.random.Generator, due: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """5.2c: employment proofs, mostly three months or more after the end date, some too early."""
    size = due.height
    special = due["fund"].to_numpy() == "special_account"
    has = np.where(special, rng.random(size) < 0.7, rng.random(size) < 0.1)
    kind = labels("employment_proof_kind", PROOF_KINDS, rng.integers(0, len(PROOF_KINDS), size))
    end = due["end_date"].to_numpy().astype("datetime64[D]")
    early = rng.random(size) < 0.08
    delay = np.where(early, rng.integers(30, 85, size), rng.integers(92, 180, size))
    proof = end + delay.astype("timedelta64[D]")
    as_of_day = np.datetime64(as_of.isoformat())
    late = rng.random(size) < PROOF_AFTER_AS_OF_SHARE
    has = (has & (proof <= as_of_day)) | late
    proof = np.where(late, as_of_day + rng.integers(1, 400, size).astype("timedelta64[D]"), proof)
    return due.with_columns(
        masked("employment_proof_kind", kind, has),
        masked("employment_proof_date", pl.Series(proof).cast(pl.Date), has),
    ).with_columns(_add_defect("proof_after_as_of", pl.Series(late)))


def _statuses(rng: np.random.Generator, due: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Every status occurs; recent claims are still pending; defective ones are rejected more often."""
    size = due.height
    end = due["end_date"].to_numpy().astype("datetime64[D]")
    as_of_day = np.datetime64(as_of.isoformat())
    submitted = np.minimum(end + rng.integers(3, 31, size).astype("timedelta64[D]"), as_of_day)
    defective = due["defect"].is_not_null().to_numpy()
    status = np.where(defective, pick(rng, np.array(DEFECT_STATUS_SHARES), size),
                      pick(rng, np.array(STATUS_SHARES), size))
    recent = (as_of_day - submitted).astype(np.int64) < 20
    status[recent] = STATUSES.index("pending")
    decided = np.minimum(submitted + rng.integers(5, 40, size).astype("timedelta64[D]"), as_of_day)
    paid = np.minimum(decided + rng.integers(3, 30, size).astype("timedelta64[D]"), as_of_day)
    return due.with_columns(
        labels("status", STATUSES, status),
        pl.Series("submitted_on", submitted).cast(pl.Date),
        masked("decided_on", pl.Series(decided).cast(pl.Date), status != STATUSES.index("pending")),
        masked("paid_on", pl.Series(paid).cast(pl.Date), status == STATUSES.index("paid")),
    )


def _requested_amount() -> pl.Expr:
    """What the claimant asks for: the synthetic standard in force on the end date (5.1, 5.2b, 5.3)."""
    second_period = pl.col("end_date").dt.year() >= 2026
    occupational = pl.when(second_period).then(
        pl.col("level").replace_strict(standards.OCCUPATIONAL[1][2], default=None, return_dtype=pl.String)
    ).otherwise(pl.col("level").replace_strict(standards.OCCUPATIONAL[0][2], default=None, return_dtype=pl.String))
    ui = pl.when(second_period).then(pl.lit(standards.UNEMPLOYMENT_INSURANCE[1][2])).otherwise(
        pl.lit(standards.UNEMPLOYMENT_INSURANCE[0][2])
    )
    kind = pl.col("subject").replace_strict(standards.ENTREPRENEURSHIP, default=None, return_dtype=pl.String)
    return (
        # 5.2b: the special account's amount per trainee who passed, in force on the end date (plan_figures.yaml)
        pl.when(pl.col("fund") == "special_account")
        .then(in_force(plan_figures(), "special_account_training_amount", lambda amount: pl.lit(str(amount))))
        .when(pl.col("fund") == "unemployment_insurance").then(ui)
        .when(pl.col("training_type") == "occupational").then(occupational)
        .when(pl.col("training_type") == "entrepreneurship").then(kind)
        .when(pl.col("training_type") == "special_ability").then(pl.lit(standards.SPECIAL_ABILITY))
        .otherwise(pl.lit(standards.PROJECT))
        .cast(pl.Decimal(12, 2))
    )
