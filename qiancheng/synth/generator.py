"""The synthetic province: a reproducible Guangxi of any size, in memory, as Polars frames.

`generate_province(people, seed)` is pure: the same arguments give the same province, byte for byte,
on any machine (numpy's PCG64 streams, one per part, spawned from the seed). People do not depend on
the as-of date, so the demo's clear ID numbers can be regenerated from (people, seed) alone.

Rows are numbered (`person_no`, `class_no`, ...) from 0; frames refer to each other by those numbers.
Every deliberately bad record carries a `defect` label (see DEFECTS) naming what a check should find.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import polars as pl

from qiancheng.policy.params import plan_figures
from qiancheng.policy.rules import in_force
from qiancheng.policy.vocabulary import COUNTING_STATUSES
from qiancheng.synth import claims as claim_drafts
from qiancheng.synth import history, organisations, population, trainings
from qiancheng.synth.columns import masked
from qiancheng.synth.params import AS_OF

# Defect label -> the rule (RULES.md) that should deny the claims carrying it.
DEFECTS = {
    "invalid_id": "data.id",
    "proof_after_as_of": "data.dates",
    "short_special_class": "3.2",
    "iyb_without_licence": "3.3",
    "no_applicant_relation": "3.4e",
    "same_year": "3.5a",
    "duplicate_enrolment": "3.5a",
    "over_three_in_history": "3.5b",
    "same_occupation_level": "3.5c",
    "same_as_skill_upgrade": "3.5c",
    "holds_higher_certificate": "3.5d",
    "claimant_not_advancer": "3.6",
    "not_passed": "5.1",
    "not_passed_special_account": "5.2b",
    "special_account_by_enterprise": "5.2a",
    "both_funds": "5.2d",
    "ui_without_benefit": "5.3",
    "blacklisted": "6d",
}


@dataclass(frozen=True)
class Province:
    """Everything generated for one (people, seed, as_of)."""

    people: int
    seed: int
    as_of: date
    persons: pl.DataFrame
    institutions: pl.DataFrame
    teachers: pl.DataFrame
    enterprises: pl.DataFrame
    parks: pl.DataFrame
    projects: pl.DataFrame
    classes: pl.DataFrame
    enrolments: pl.DataFrame
    certificates: pl.DataFrame
    skill_upgrades: pl.DataFrame
    blacklist: pl.DataFrame
    earlier_claims: pl.DataFrame
    claims: pl.DataFrame

    def enrolment_view(self) -> pl.DataFrame:
        """Enrolments with their class's type, subject, level, dates, city and institution."""
        return self.enrolments.join(self.classes, on="class_no", maintain_order="left")

    def frames(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), pl.DataFrame)}


def _streams(seed: int, count: int) -> list[np.random.Generator]:
    return [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(count)]


def _enrolments(rng: np.random.Generator, plan: pl.DataFrame, classes: pl.DataFrame,
                persons: pl.DataFrame) -> pl.DataFrame:
    core = plan.select("person_no", "class_no", "defect")
    numbered = core.with_row_index("enrolment_no").with_columns(pl.col("enrolment_no").cast(pl.Int64))
    extra = trainings.extra_enrolments(rng, numbered.join(classes, on="class_no", maintain_order="left"), classes)
    enrolments = pl.concat([core, extra]).unique(["class_no", "person_no"], keep="first", maintain_order=True)
    enrolments = enrolments.with_row_index("enrolment_no").with_columns(pl.col("enrolment_no").cast(pl.Int64))
    view = enrolments.join(classes, on="class_no", how="left", maintain_order="left")
    finished = view["status"].to_numpy() == "finished"
    rate = view["training_type"].replace_strict(trainings.PASS_RATE, return_dtype=pl.Float64).to_numpy()
    passed = masked("passed", rng.random(view.height) < rate, finished)
    enrolled = view["start_date"].to_numpy().astype("datetime64[D]") - rng.integers(3, 21, view.height).astype(
        "timedelta64[D]"
    )
    relation = trainings.project_relations(rng, view, persons)
    return enrolments.with_columns(
        passed,
        pl.Series("enrolled_on", enrolled).cast(pl.Date),
        relation,
    ).with_columns(
        pl.when(pl.col("defect").is_null() & (pl.col("applicant_relation") == "none"))
        .then(pl.lit("no_applicant_relation")).otherwise(pl.col("defect")).alias("defect")
    )


def _label(frame: pl.DataFrame, label: str, condition: pl.Expr) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col("defect").is_null() & condition).then(pl.lit(label)).otherwise(pl.col("defect")).alias("defect")
    )


def _label_class_and_person_defects(enrolments: pl.DataFrame, classes: pl.DataFrame,
                                    persons: pl.DataFrame) -> pl.DataFrame:
    minimum = in_force(plan_figures(), "special_ability_min_hours", pl.lit)  # 3.2, on each class's end date
    short = classes.filter((pl.col("training_type") == "special_ability") & (pl.col("class_hours") < minimum))["class_no"]
    invalid = persons.filter(~pl.col("id_valid"))["person_no"]
    enrolments = _label(enrolments, "invalid_id", pl.col("person_no").is_in(invalid.implode()))
    return _label(enrolments, "short_special_class", pl.col("class_no").is_in(short.implode()))


def _label_history_defects(claims: pl.DataFrame, earlier: pl.DataFrame, blacklist: pl.DataFrame,
                           view: pl.DataFrame) -> pl.DataFrame:
    """Defects that only show against history: three earlier counting claims (3.5b), a blacklist (6d)."""
    counting = earlier.filter(pl.col("status").is_in(list(COUNTING_STATUSES)))
    three = counting.group_by("person_no", maintain_order=True).len().filter(pl.col("len") >= 3)["person_no"]
    claims = _label(claims, "over_three_in_history", pl.col("person_no").is_in(three.implode()))
    ends = claims.select("claim_no", "person_no", "enrolment_no").join(
        view.select("enrolment_no", "end_date", "institution_no"), on="enrolment_no", maintain_order="left",
    )
    period = (pl.col("end_date") >= pl.col("listed_from")) & (
        pl.col("listed_until").is_null() | (pl.col("end_date") <= pl.col("listed_until"))
    )
    by_person = ends.join(blacklist.filter(pl.col("person_no").is_not_null()).select("person_no", "listed_from",
                          "listed_until"), on="person_no", maintain_order="left").filter(period)
    by_institution = ends.join(blacklist.filter(pl.col("institution_no").is_not_null()).select(
        "institution_no", "listed_from", "listed_until"), on="institution_no", maintain_order="left").filter(period)
    listed = pl.concat([by_person["claim_no"], by_institution["claim_no"]]).implode()
    return _label(claims, "blacklisted", pl.col("claim_no").is_in(listed))


def _number_certificates(certificates: pl.DataFrame) -> pl.DataFrame:
    ordered = certificates.sort("issued_on", "person_no", "kind", "occupation_code", nulls_last=True)
    return ordered.with_columns(
        pl.format("ZS{}{}", pl.col("issued_on").dt.year(), pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(9))
        .alias("certificate_no")
    )


def generate_persons(people: int, seed: int) -> pl.DataFrame:
    """Just the people of `generate_province(people, seed, ...)`: the same rows, far quicker."""
    return population.persons(_streams(seed, 6)[0], people)


def generate_province(people: int, seed: int, as_of: date = AS_OF) -> Province:
    """A synthetic Guangxi of `people` trainees, reproducible from `seed`, observed on `as_of`."""
    if people < 1:
        raise ValueError("people must be at least 1 / 人数至少为 1")
    rng_people, rng_orgs, rng_plan, rng_enrol, rng_history, rng_claims = _streams(seed, 6)
    persons = population.persons(rng_people, people)
    institutions = organisations.institutions(rng_orgs, people)
    teachers = organisations.teachers(rng_orgs, institutions.height, population.id_bodies(persons["id_number"]))
    parks = organisations.parks()
    enterprises = organisations.enterprises(rng_orgs, people, parks)

    plan = trainings.enrolment_plan(rng_plan, persons).with_row_index("plan_no")
    plan = trainings.assign_subjects(rng_plan, plan, persons)
    projects, plan = trainings.assign_projects(rng_plan, plan, enterprises)
    classes, plan = trainings.build_classes(rng_plan, plan, institutions, as_of)
    classes = classes.with_columns(
        pl.when(pl.col("training_type") == "project")
        .then(pl.col("project_no").replace_strict(
            dict(zip(projects["project_no"], projects["project_id"], strict=True)), default=None,
            return_dtype=pl.String))
        .otherwise(pl.col("subject")).alias("subject")
    )

    enrolments = _enrolments(rng_enrol, plan, classes, persons)
    enrolments = _label_class_and_person_defects(enrolments, classes, persons)
    view = enrolments.join(classes, on="class_no", maintain_order="left")

    earlier = history.earlier_claims(rng_history, persons)
    higher = history.defect_certificates(rng_history, view)
    upgrades = history.skill_upgrades(rng_history, persons, view)
    certificates = pl.concat([
        history.earlier_certificates(rng_history, earlier),
        history.other_certificates(rng_history, persons),
        history.programme_certificates(rng_history, view, as_of),
        higher,
    ])
    enrolments = _label(enrolments, "holds_higher_certificate", pl.col("enrolment_no").is_in(higher["defect_for"].implode()))
    enrolments = _label(enrolments, "same_as_skill_upgrade", pl.col("enrolment_no").is_in(
        upgrades["defect_for"].drop_nulls().implode()))
    listed = history.blacklist(rng_history, persons, institutions)

    view = enrolments.join(classes, on="class_no", maintain_order="left")
    frame = claim_drafts.claim_frame(enrolments, classes, persons, institutions, enterprises, projects)
    drafted = claim_drafts.claims(rng_claims, frame, enterprises, as_of)
    kept = ["claim_no", "claim_id", "enrolment_no", "person_no", "fund", "advanced_by", "advanced_by_id",
            "claimant", "claimant_id", "employment_proof_kind", "employment_proof_date", "status",
            "submitted_on", "decided_on", "paid_on", "amount_requested", "defect"]
    claims = _label_history_defects(drafted.select(kept), earlier, listed, view)
    return Province(
        people=people, seed=seed, as_of=as_of, persons=persons, institutions=institutions, teachers=teachers,
        enterprises=enterprises, parks=parks, projects=projects, classes=classes, enrolments=enrolments,
        certificates=_number_certificates(certificates), skill_upgrades=upgrades, blacklist=listed,
        earlier_claims=earlier, claims=claims,
    )
