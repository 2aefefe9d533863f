"""The synthetic province as table rows: one frame per model, columns named as the database names them.

Pure functions of the province plus the first free id of each table (`Ids`) and the facts only the
database or the decision engine knows (park ids, person keys, decisions). Personal data arrives here
already sealed (see load.py); nothing in these frames is a clear ID number or phone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from qiancheng.catalog import shipped
from qiancheng.funding.services.payment_batches import batch_reference_column
from qiancheng.policy.params import plan_figures
from qiancheng.policy.rules import in_force
from qiancheng.policy.vocabulary import COUNTING_STATUSES
from qiancheng.synth import reference as ref
from qiancheng.synth.generator import Province

LOCAL = "Asia/Shanghai"
LEVEL_NAMES = {5: "五级/初级工", 4: "四级/中级工", 3: "三级/高级工", 2: "二级/技师", 1: "一级/高级技师"}
CERTIFICATE_KINDS = {
    "skill_level": "vocational_skill_level",
    "special_ability": "special_ability",
    "entrepreneurship": "entrepreneurship",
    "project": "project_training",
}
SKILL_ISSUER = "广西壮族自治区职业技能鉴定指导中心（合成）/ Guangxi skills assessment centre (synthetic)"


@dataclass(frozen=True)
class Ids:
    """First free primary key of each integer-keyed table; synthetic rows take consecutive ids from there."""

    institution: int
    teacher: int
    enterprise: int
    project: int
    delivery: int
    training_class: int
    enrolment: int
    evaluation: int
    certificate: int
    blacklist: int
    claim: int
    skill_upgrade: int
    payment: int


def at_local(date_column: str, hour: int) -> pl.Expr:
    """A date at a local office hour, as an aware UTC datetime."""
    return (
        pl.col(date_column).cast(pl.Datetime("us")).dt.offset_by(f"{hour}h")
        .dt.replace_time_zone(LOCAL).dt.convert_time_zone("UTC")
    )


def _plus_days(column: str, days: int) -> pl.Expr:
    return pl.col(column) + pl.duration(days=days)


def persons(province: Province, sealed: pl.DataFrame) -> pl.DataFrame:
    """`sealed`: person_no, person_key, id_number_enc, id_number_masked, phone_enc, phone_masked."""
    return province.persons.join(sealed, on="person_no", maintain_order="left").select(
        "person_key", "id_number_enc", "id_number_masked", "name", "sex", "birth_date", "county_code",
        "phone_enc", "phone_masked", "has_business_licence",
        pl.col("business_licence_uscc").fill_null(""), "receiving_unemployment_benefit",
        "unemployment_benefit_since", "category",
    )


def institutions(province: Province, ids: Ids) -> pl.DataFrame:
    still_listed = province.blacklist.filter(
        pl.col("institution_no").is_not_null() & (pl.col("listed_from") <= province.as_of)
        & (pl.col("listed_until").is_null() | (pl.col("listed_until") >= province.as_of))
    )["institution_no"]
    listed = pl.col("institution_no").is_in(still_listed.implode())
    return province.institutions.select(
        (pl.col("institution_no") + ids.institution).alias("id"), "name", "uscc", "kind",
        pl.col("city_code").alias("city_id"),
        pl.when(listed).then(pl.lit("blacklisted")).otherwise(pl.lit("approved")).alias("status"),
        pl.lit(province.as_of + dt.timedelta(days=730)).alias("approved_until"),
        # 1c: the star rating is computed by the published formula (`qiancheng rate`, run by `qiancheng demo`),
        # never typed in; the generator's "stars" only shape each institution's outcomes.
        pl.lit(None, dtype=pl.Int64).alias("star_rating"), pl.lit(None, dtype=pl.Date).alias("star_rated_on"),
    )


def teachers(province: Province, ids: Ids, sealed: pl.DataFrame) -> pl.DataFrame:
    """`sealed`: teacher_no, person_key, id_number_enc, id_number_masked."""
    names = {o.code: o.name for o in ref.TRAINED_OCCUPATIONS}
    return province.teachers.join(sealed, on="teacher_no", maintain_order="left").select(
        (pl.col("teacher_no") + ids.teacher).alias("id"),
        (pl.col("institution_no") + ids.institution).alias("institution_id"), "name", "id_number_enc",
        "id_number_masked", "person_key",
        pl.format("{} {}", pl.col("occupation_code").replace_strict(names, return_dtype=pl.String),
                  pl.col("level").replace_strict(LEVEL_NAMES, return_dtype=pl.String)).alias("qualifications"),
    )


def enterprises(province: Province, ids: Ids, park_ids: dict[str, int]) -> pl.DataFrame:
    park_codes = dict(zip(province.parks["park_no"], province.parks["code"], strict=True))
    return province.enterprises.select(
        (pl.col("enterprise_no") + ids.enterprise).alias("id"), "name", "uscc", pl.col("city_code").alias("city_id"),
        pl.col("park_no").replace_strict(park_codes, default=None, return_dtype=pl.String)
        .replace_strict(park_ids, default=None, return_dtype=pl.Int64).alias("park_id"),
        "is_park_operator",
    )


def _project_schedule(province: Province) -> pl.DataFrame:
    """Each project's first start, last end and whether every class has finished (3.4d can be confirmed)."""
    classes = province.classes.filter(pl.col("project_no").is_not_null())
    return classes.group_by("project_no", maintain_order=True).agg(
        pl.col("start_date").min().alias("first_start"), pl.col("end_date").max().alias("last_end"),
        pl.col("class_hours").max().alias("hours"), (pl.col("status") == "finished").all().alias("done"),
        pl.col("institution_no").first(),
    ).with_columns(
        pl.when(pl.col("done") & (_plus_days("last_end", 5) <= province.as_of)).then(_plus_days("last_end", 5))
        .otherwise(None).alias("confirmed_on")
    )


def projects(province: Province, ids: Ids) -> pl.DataFrame:
    """Published (or, once confirmed, closed) projects, each with its chosen institution (3.4b-3.4d)."""
    schedule = _project_schedule(province)
    confirmed = pl.col("confirmed_on").is_not_null()
    return province.projects.join(schedule, on="project_no", maintain_order="left").select(
        (pl.col("project_no") + ids.project).alias("id"), pl.col("project_id").alias("code"),
        (pl.col("enterprise_no") + ids.enterprise).alias("applicant_id"), pl.col("city_code").alias("city_id"),
        "title", pl.col("headcount").cast(pl.Int64),
        pl.lit("按申请企业岗位要求 / as the applicant's jobs require").alias("skill_requirements"),
        pl.format("{}岗位技能实操 / hands-on skills for {} jobs", "industry", "industry").alias("content"),
        pl.col("hours").alias("duration_hours"), pl.lit("线下集中 + 岗位实操").alias("method"),
        pl.lit("合格率不低于90%，结业3个月内就业 / 90% pass, employed within 3 months").alias("expected_effect"),
        pl.lit("both").alias("trainee_link"),
        pl.when(confirmed).then(pl.lit("closed")).otherwise(pl.lit("published")).alias("status"),
        at_local("first_start", 9).dt.offset_by("-40d").alias("submitted_at"),
        at_local("first_start", 15).dt.offset_by("-30d").alias("reviewed_at"),
        (pl.col("first_start") - pl.duration(days=25)).alias("published_on"),
        (pl.col("institution_no") + ids.institution).alias("chosen_institution_id"),
        pl.lit("按公布条件择优选定（合成数据）/ chosen on merit under the published conditions (synthetic)")
        .alias("choice_reason"),
        confirmed.alias("city_confirmed_effect"), pl.col("confirmed_on").alias("city_confirmed_on"),
        confirmed.alias("applicant_confirmed_effect"), pl.col("confirmed_on").alias("applicant_confirmed_on"),
    )


def delivery_applications(province: Province, ids: Ids) -> pl.DataFrame:
    """3.4c: the chosen institution's application to deliver each project."""
    schedule = _project_schedule(province)
    return schedule.sort("project_no").select(
        (pl.int_range(pl.len()) + ids.delivery).alias("id"),
        (pl.col("project_no") + ids.project).alias("project_id"),
        (pl.col("institution_no") + ids.institution).alias("institution_id"),
        pl.lit("具备相应资质与信用，符合公布条件 / qualified and in good credit").alias("statement"),
        pl.lit("chosen").alias("status"),
        at_local("first_start", 9).dt.offset_by("-35d").alias("applied_at"),
        at_local("first_start", 9).dt.offset_by("-30d").alias("decided_at"),
    )


def _subject_names() -> dict[str, str]:
    names = {o.code: o.name for o in ref.TRAINED_OCCUPATIONS}
    names |= dict(ref.special_ability_items())
    names |= {kind.code: kind.name for kind in shipped.course_kinds()}
    return names


def _subject_columns() -> list[pl.Expr]:
    """occupation_id/level, item_id, course_kind_id from a frame with training_type and subject."""
    kind = pl.col("training_type")
    return [
        pl.when(kind == "occupational").then(pl.col("subject")).otherwise(None).alias("occupation_id"),
        pl.when(kind == "occupational").then(pl.col("level")).otherwise(None).alias("level"),
        pl.when(kind == "special_ability").then(pl.col("subject")).otherwise(None).alias("item_id"),
        pl.when(kind == "entrepreneurship").then(pl.col("subject")).otherwise(None).alias("course_kind_id"),
    ]


def training_classes(province: Province, ids: Ids) -> pl.DataFrame:
    """Classes with their status (3.2: a class under the minimum hours never reaches approval) and a 5.4 cost
    split."""
    size = province.enrolments.group_by("class_no", maintain_order=True).len("trainees")
    short = (pl.col("training_type") == "special_ability") & (
        pl.col("class_hours") < in_force(plan_figures(), "special_ability_min_hours", pl.lit))
    status = (
        pl.when(short).then(pl.lit("submitted"))
        .when(pl.col("status") == "finished").then(pl.lit("finished"))
        .when(pl.col("status") == "running").then(pl.lit("in_progress"))
        .otherwise(pl.lit("approved"))
    )
    total = pl.col("class_hours") * 20 * pl.col("trainees")
    enterprise_share = pl.when(pl.col("training_type") == "project").then(total * 2 // 10).otherwise(0)
    subject_name = pl.when(pl.col("training_type") == "project").then(pl.col("title")).otherwise(
        pl.col("subject").replace_strict(_subject_names(), default="", return_dtype=pl.String)
    )
    level_name = pl.col("level").replace_strict(LEVEL_NAMES, default=None, return_dtype=pl.String)
    titles = province.projects.select("project_no", "title")
    classes = province.classes.join(size, on="class_no", how="left", maintain_order="left").with_columns(pl.col("trainees").fill_null(0))
    return classes.join(titles, on="project_no", how="left", maintain_order="left").select(
        (pl.col("class_no") + ids.training_class).alias("id"),
        pl.concat_str([subject_name, pl.format("（{}）", level_name).fill_null(""),
                       pl.format("培训班 {}", pl.col("class_code"))]).alias("name"),
        (pl.col("institution_no") + ids.institution).alias("institution_id"), pl.col("city_code").alias("city_id"),
        "training_type", *_subject_columns(),
        (pl.col("project_no") + ids.project).alias("project_id"),
        # 2.1/2.2: classes open to anyone train for a job; a project trains an enterprise's own staff (a project
        # class's form is the institution's to state; the synthetic one is 岗位技能提升培训); entrepreneurship none.
        pl.when(pl.col("training_type").is_in(["occupational", "special_ability"])).then(pl.lit("employment_skills"))
        .when(pl.col("training_type") == "project").then(pl.lit("skill_upgrade"))
        .otherwise(pl.lit("")).alias("training_form"),
        "start_date", "end_date", "class_hours",
        total.cast(pl.Decimal(14, 2)).alias("cost_total"),
        (total * 7 // 10).cast(pl.Decimal(14, 2)).alias("cost_government"),
        enterprise_share.cast(pl.Decimal(14, 2)).alias("cost_enterprise"),
        (total - total * 7 // 10 - enterprise_share).cast(pl.Decimal(14, 2)).alias("cost_individual"),
        status.alias("status"),
        at_local("start_date", 9).dt.offset_by("-20d").alias("submitted_at"),
        pl.when(short).then(None).otherwise(at_local("start_date", 15).dt.offset_by("-10d")).alias("reviewed_at"),
    )


def class_teachers(province: Province, ids: Ids, through_columns: tuple[str, str]) -> pl.DataFrame:
    """One teacher of the delivering institution on each class."""
    first = province.teachers.group_by("institution_no", maintain_order=True).agg(pl.col("teacher_no").min())
    class_column, teacher_column = through_columns
    return province.classes.join(first, on="institution_no", maintain_order="left").sort("class_no").select(
        (pl.col("class_no") + ids.training_class).alias(class_column),
        (pl.col("teacher_no") + ids.teacher).alias(teacher_column),
    )


def enrolments(province: Province, ids: Ids, keys: pl.DataFrame) -> pl.DataFrame:
    """`keys`: person_no, person_key."""
    view = province.enrolment_view().join(keys, on="person_no", maintain_order="left").join(
        province.persons.select("person_no", "category", "receiving_unemployment_benefit"), on="person_no", maintain_order="left",
    )
    finished = pl.col("status") == "finished"
    return view.select(
        (pl.col("enrolment_no") + ids.enrolment).alias("id"),
        (pl.col("class_no") + ids.training_class).alias("training_class_id"), "person_key", "category",
        "receiving_unemployment_benefit", pl.col("applicant_relation").fill_null("none"),
        pl.when(finished).then(pl.lit("completed")).otherwise(pl.lit("enrolled")).alias("status"),
        "enrolled_on", pl.when(finished).then(pl.col("end_date")).otherwise(None).alias("left_on"),
    )


def evaluations(province: Province, ids: Ids, keys: pl.DataFrame) -> pl.DataFrame:
    """One assessment of every enrolment of a finished class, three days after its end (or on the as-of day)."""
    view = province.enrolment_view().filter(pl.col("passed").is_not_null()).join(keys, on="person_no", maintain_order="left").sort(
        "enrolment_no")
    score = (pl.col("enrolment_no") * 7919 % 39).cast(pl.Float64)
    return view.select(
        (pl.int_range(pl.len()) + ids.evaluation).alias("id"),
        (pl.col("enrolment_no") + ids.enrolment).alias("enrolment_id"), "person_key", "passed",
        pl.when(pl.col("passed")).then(60 + score).otherwise(30 + score * 29 / 38).round(1).cast(pl.Decimal(5, 2))
        .alias("score"),
        pl.min_horizontal(_plus_days("end_date", 3), pl.lit(province.as_of)).alias("evaluated_on"),
        pl.format("{}职业技能评价机构（合成）/ assessment body (synthetic)", "city_code").alias("evaluator"),
        pl.col("enrolment_no"),
    )


def certificates(province: Province, ids: Ids, keys: pl.DataFrame, evaluation_ids: pl.DataFrame) -> pl.DataFrame:
    """Every certificate held; project certificates only once both parties confirmed the effect (3.4d).

    `evaluation_ids`: enrolment_no, id (of its evaluation).
    """
    view = province.enrolment_view().select("enrolment_no", "training_type", "subject", "project_no",
                                            "institution_no")
    confirmed = _project_schedule(province).select("project_no", "confirmed_on")
    names = dict(zip(province.institutions["institution_no"], province.institutions["name"], strict=True))
    frame = (
        province.certificates.join(view, on="enrolment_no", how="left", maintain_order="left")
        .join(confirmed, on="project_no", how="left", maintain_order="left")
        .join(evaluation_ids.rename({"id": "evaluation_id"}), on="enrolment_no", how="left", maintain_order="left")
        .join(keys, on="person_no", maintain_order="left")
        .filter((pl.col("kind") != "project") | pl.col("confirmed_on").is_not_null())
        .with_columns(
            pl.when(pl.col("kind") == "project").then(pl.max_horizontal("issued_on", "confirmed_on"))
            .otherwise(pl.col("issued_on")).alias("issued_on")
        )
    )
    kind = pl.col("kind")
    return frame.sort("certificate_no").select(
        (pl.int_range(pl.len()) + ids.certificate).alias("id"),
        pl.col("certificate_no").alias("number"),
        kind.replace_strict(CERTIFICATE_KINDS, return_dtype=pl.String).alias("kind"), "person_key",
        pl.when(kind == "skill_level").then(pl.col("occupation_code")).otherwise(None).alias("occupation_id"),
        pl.when(kind == "skill_level").then(pl.col("level")).otherwise(None).alias("level"),
        pl.when(kind == "special_ability").then(pl.col("subject")).otherwise(None).alias("item_id"),
        pl.when(kind == "entrepreneurship").then(pl.col("subject")).otherwise(None).alias("course_kind_id"),
        pl.when(kind == "project").then(pl.col("project_no") + ids.project).otherwise(None).alias("project_id"),
        pl.when(kind == "skill_level").then(pl.lit(SKILL_ISSUER)).otherwise(
            pl.col("institution_no").replace_strict(names, default=SKILL_ISSUER, return_dtype=pl.String)
        ).alias("issuer"),
        "issued_on", "evaluation_id",
    )


def skill_upgrades(province: Province, ids: Ids, keys: pl.DataFrame) -> pl.DataFrame:
    return province.skill_upgrades.join(keys, on="person_no", maintain_order="left").sort("record_id").select(
        (pl.int_range(pl.len()) + ids.skill_upgrade).alias("id"), "record_id", "person_key",
        pl.col("occupation_code").alias("occupation_id"), "level", "granted_on", "amount",
    )


def blacklist(province: Province, ids: Ids, keys: pl.DataFrame, actor_id: int) -> pl.DataFrame:
    return province.blacklist.join(keys, on="person_no", how="left", maintain_order="left").sort("entry_id").select(
        (pl.int_range(pl.len()) + ids.blacklist).alias("id"), "person_key",
        (pl.col("institution_no") + ids.institution).alias("institution_id"), "listed_from", "listed_until",
        "reason", pl.format("桂人社黑〔{}〕{}号（合成）", pl.col("listed_from").dt.year(), pl.int_range(1, pl.len() + 1))
        .alias("document_ref"), pl.lit(actor_id).alias("created_by_id"),
    )


COUNTING = list(COUNTING_STATUSES)


def _adjusted_status(claims: pl.DataFrame) -> pl.DataFrame:
    """Statuses the database can hold: nothing denied is approved or paid, and one counting claim per
    enrolment and per person and project (5.2d); the later claim of a clash is rejected."""
    denied = pl.col("eligible").not_()
    claims = claims.with_columns(
        pl.when(denied & pl.col("status").is_in(["approved", "paid"])).then(pl.lit("rejected"))
        .otherwise(pl.col("status")).alias("status")
    )
    for key in (["enrolment_no"], ["person_no", "project_no"]):
        counting = pl.col("status").is_in(COUNTING)
        if "project_no" in key:
            counting = counting & pl.col("project_no").is_not_null()
        later = (pl.col("claim_no").rank("ordinal").over([*key, counting]) > 1) & counting
        claims = claims.with_columns(pl.when(later).then(pl.lit("rejected")).otherwise(pl.col("status")).alias("status"))
    return claims


def system_claims(province: Province, ids: Ids, keys: pl.DataFrame, decisions: pl.DataFrame,
                  params_id: str, rule_version: str) -> pl.DataFrame:
    """Claims made in the system, with the engine's decision; pending ones still await it.

    `decisions`: claim_id, eligible, training_amount, employment_amount, total_amount, denied_by.
    """
    view = province.enrolment_view().select(
        "enrolment_no", "training_type", "subject", "level", "project_no", "class_hours", "start_date", "end_date",
        "passed", "applicant_relation", "city_code", "institution_no",
    )
    people = province.persons.select("person_no", "category", "receiving_unemployment_benefit", "has_business_licence")
    claims = (
        province.claims.join(view, on="enrolment_no", maintain_order="left").join(people, on="person_no", maintain_order="left").join(keys, on="person_no", maintain_order="left")
        .join(decisions, on="claim_id", maintain_order="left")
    )
    claims = _adjusted_status(claims)
    decided = pl.col("status") != "pending"
    decided_on = pl.coalesce("decided_on", _plus_days("submitted_on", 1))

    def ref_of(kind: str) -> pl.Expr:
        # 3.6: an individual is named by person_key, never by the clear ID number.
        return pl.when(pl.col(kind) == "individual").then(pl.col("person_key")).otherwise(pl.col(f"{kind}_id"))

    def when_decided(expr: pl.Expr) -> pl.Expr:
        return pl.when(decided).then(expr).otherwise(None)

    reviewed = pl.col("status").is_in(["approved", "paid", "rejected"])
    note = (
        pl.when(pl.col("status") != "rejected").then(pl.lit(""))
        .when(pl.col("denied_by").fill_null("") != "")
        .then(pl.format("规则未通过 / denied by rules: {}", "denied_by"))
        .otherwise(pl.lit("复核未通过（合成）/ rejected at review (synthetic)"))
    )
    return claims.sort("claim_no").with_columns(decided_on.alias("decided_at_day")).select(
        (pl.col("claim_no") + ids.claim).alias("id"), pl.col("claim_id").alias("number"),
        pl.lit("system").alias("origin"), (pl.col("enrolment_no") + ids.enrolment).alias("enrolment_id"),
        "person_key", "training_type", *_subject_columns(),
        (pl.col("project_no") + ids.project).alias("project_id"), "class_hours", "start_date", "end_date",
        "passed", pl.col("category").alias("person_category"), "receiving_unemployment_benefit",
        "has_business_licence", pl.col("applicant_relation").fill_null("none"), "fund",
        pl.col("city_code").alias("city_id"), (pl.col("institution_no") + ids.institution).alias("institution_id"),
        "advanced_by", ref_of("advanced_by").alias("advanced_by_ref"), "claimant",
        ref_of("claimant").alias("claimant_ref"), pl.col("employment_proof_kind").fill_null(""),
        "employment_proof_date", "status", at_local("submitted_on", 9).alias("submitted_at"),
        when_decided(pl.col("eligible")).alias("eligible"),
        when_decided(pl.col("training_amount")).alias("training_amount"),
        when_decided(pl.col("employment_amount")).alias("employment_amount"),
        when_decided(pl.col("total_amount")).alias("total_amount"),
        when_decided(pl.col("denied_by").fill_null("")).fill_null("").alias("denied_by"),
        when_decided(at_local("decided_at_day", 10)).alias("decided_at"),
        when_decided(pl.lit(params_id)).fill_null("").alias("param_set_id"),
        when_decided(pl.lit(rule_version)).fill_null("").alias("rule_version"),
        pl.when(reviewed).then(at_local("decided_at_day", 16)).otherwise(None).alias("reviewed_at"),
        note.alias("review_note"),
        pl.col("person_no"), pl.col("paid_on"),
    )


def imported_claims(province: Province, first_id: int, keys: pl.DataFrame) -> pl.DataFrame:
    """Claims of 2019-2024 from earlier programmes (history for 3.5b/3.5c), as imported records."""
    return province.earlier_claims.join(keys, on="person_no", maintain_order="left").sort("record_id").select(
        (pl.int_range(pl.len()) + first_id).alias("id"), pl.col("record_id").alias("number"),
        pl.lit("imported").alias("origin"), "person_key", "training_type",
        pl.col("occupation_code").alias("occupation_id"), "level", pl.col("item_code").alias("item_id"),
        pl.col("course_kind").alias("course_kind_id"), "end_date", "fund", "status",
    )


def payments(paid: pl.DataFrame, first_id: int, seed: int, actor_id: int) -> pl.DataFrame:
    """One payment per paid claim (6c: never twice). `paid`: id, number, person_key, total_amount, paid_on, city_id."""
    return paid.sort("id").select(
        (pl.int_range(pl.len()) + first_id).alias("id"), pl.col("id").alias("claim_id"), "person_key",
        pl.col("total_amount").alias("amount"), at_local("paid_on", 14).alias("paid_at"),
        batch_reference_column("paid_on", "city_id", f"synth-{seed}").alias("batch_ref"),
        pl.format("synth-{}-{}", pl.lit(seed), "number").alias("idempotency_key"),
        pl.lit("paid").alias("status"), pl.lit(actor_id).alias("created_by_id"),
    )
