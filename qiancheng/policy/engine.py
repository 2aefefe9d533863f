"""The decision engine: claims and history in, one decision per claim out (RULES.md).

A batch is decided as if its claims arrived one by one in (end date, claim ID) order, each against the
history plus the batch claims accepted before it. Without a Python loop over claims:

1. Every claim rule (data.id, 3.2, 5.1, ...) and the blacklist (6d) depend on the claim alone: one pass.
2. The limits (3.5a-d, 5.2d) are checked against the history in one join.
3. A claim that failed 1 or 2 is denied whatever else happens, and a denied claim never counts, so only
   the remaining *candidates* compete. Persons with one candidate are settled at once; for the others,
   rounds each decide every person's earliest undecided candidate against that person's already
   accepted ones. The number of rounds is the largest number of candidates one person has.
4. With the accepted set fixed, every claim of a person with several batch claims is checked against
   the accepted claims before it, so a denied claim still lists every rule it fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from stdnum.cn import ric

from qiancheng.policy.params import UI_KEY, ParameterError, ParamSet, PlanFigures
from qiancheng.policy.rules import (
    BLACKLIST_RULE,
    CLAIM_RULES,
    COUNT_RULE,
    LIMIT_RULES,
    MAX_COUNTED_TRAININGS,
    RULE_VERSION,
    in_force,
)
from qiancheng.policy.vocabulary import COUNTING_STATUSES, RULE_IDS

c = pl.col
Progress = Callable[[str], None]

# The 5.2b and 5.2c amounts and the 5.2c months are the plan's own figures: `params.plan` (plan_figures.yaml),
# not part of the exchange parameters (EXCHANGE.md (c)).
FEN = Decimal("0.01")
ZERO = "0.00"

_LIMIT_IDS = tuple(rule.id for rule in LIMIT_RULES)
# What the limits and the amounts still read once the claim rules have run; the rest is dropped so that
# the joins that follow copy less (a million claims stay well under 2 GB).
_KEPT_AFTER_CLAIM_RULES = ("seq", "claim_id", "person", "training_type", "fund", "city_code", "occupation_code",
                           "level", "item_code", "course_kind", "project_id", "end_date", "year", "passed",
                           "employment_proof_kind", "employment_proof_date", "institution_id")
# What the rounds read of a candidate, and what pricing reads of a decided claim.
_ROUND_COLUMNS = ("seq", "claim_id", "person", "training_type", "occupation_code", "level", "item_code",
                  "project_id", "year", "end_date", "passed", "h_n")
_AMOUNT_COLUMNS = ("seq", "claim_id", "person", "training_type", "fund", "city_code", "occupation_code", "level",
                   "course_kind", "end_date", "employment_proof_kind", "employment_proof_date")


class NoStandardError(ParameterError):
    """An eligible claim needs a standard that no parameter entry covers (never a silent zero)."""


@dataclass(frozen=True)
class DecisionRun:
    """The decisions of one run and what produced them, so that the run can be reproduced."""

    decisions: pl.DataFrame
    params_id: str
    rule_version: str
    as_of: dt.date


def decide(
    claims: pl.DataFrame,
    history: pl.DataFrame,
    params: ParamSet,
    as_of: dt.date,
    *,
    trace: bool = False,
    progress: Progress | None = None,
) -> DecisionRun:
    """Decide every claim. `claims` and `history` are validated, typed frames (see exchange.py)."""
    say = progress or (lambda stage: None)
    frame = _prepare_claims(claims)
    say("claim rules")
    frame = frame.with_columns(*(rule.fails(as_of, params.plan).fill_null(False).alias(f"f_{rule.id}")
                                 for rule in CLAIM_RULES))
    # From here on, row i is the claim with seq i, so per-claim results are attached by position.
    frame = frame.select(*_KEPT_AFTER_CLAIM_RULES, pl.col(r"^f_.*$")).sort("seq")
    frame = _with_blacklist(frame, history, trace)
    say("history")
    history_flags = _limit_flags(frame, _history_priors(history), trace, all_earlier=True)
    frame = _join_flags(frame, history_flags, "h")
    claim_failed = pl.any_horizontal(c(f"f_{rule.id}") for rule in (*CLAIM_RULES, BLACKLIST_RULE))
    history_failed = pl.any_horizontal(c(f"h_{rid}") for rid in _LIMIT_IDS) | (c("h_n") >= MAX_COUNTED_TRAININGS)
    frame = frame.with_columns((~claim_failed & ~history_failed).alias("candidate"))
    say("batch order")
    accepted = _accept_in_order(frame.select(*_ROUND_COLUMNS, "candidate").filter(c("candidate")).drop("candidate"),
                                say)
    batch_flags = _batch_flags(frame, accepted, trace)
    frame = _join_flags(frame, batch_flags, "b")
    frame = _with_denials(frame)
    _check_consistency(frame, accepted)
    say("amounts")
    traced = [col for col in frame.columns if col.startswith(("h_refs_", "b_refs_", "refs_"))] if trace else []
    frame = _with_amounts(frame.select(*_AMOUNT_COLUMNS, "eligible", "denied_by", *traced), params)
    columns = ["claim_id", "eligible", "training_amount", "employment_amount", "total_amount", "denied_by"]
    if trace:
        columns += ["person", "seq", "standard_index", "uplift", "employment_earned", *traced]
    decisions = frame.select(columns).sort("claim_id")
    return DecisionRun(decisions, params.id, RULE_VERSION, as_of)


# ---------------------------------------------------------------- preparing

def normalised_ids(ids: pl.Series) -> pl.Series:
    """RULES reading 1: the person is `stdnum.cn.ric.compact` of the ID number.

    Plain ASCII numbers only need upper-casing; the rare others go through stdnum itself.
    """
    plain = ids.str.contains(r"^[0-9Xx]*$").fill_null(False)
    out = ids.str.to_uppercase()
    odd = ids.filter(~plain).unique()
    if odd.len():
        mapping = {value: ric.compact(value) for value in odd.to_list() if value is not None}
        out = pl.select(pl.when(plain).then(out).otherwise(ids.replace_strict(mapping, default=None))).to_series()
    return out.alias("person")


def _prepare_claims(claims: pl.DataFrame) -> pl.DataFrame:
    """Each claim's place in the order of arrival, `seq`: RULES.md orders by (end date, claim ID), claim IDs
    compared in code-point order (Polars compares strings by their UTF-8 bytes, which is the same)."""
    by_id = claims["claim_id"].arg_sort()
    by_date = claims["end_date"].gather(by_id).to_frame().select(pl.arg_sort_by("end_date", maintain_order=True))
    order = by_id.gather(by_date.to_series())  # a stable sort on the date after a sort on the ID: both keys
    seq = pl.zeros(claims.height, pl.Int64, eager=True).scatter(order, pl.int_range(claims.height, eager=True))
    return claims.with_columns(
        seq.alias("seq"),
        normalised_ids(claims["id_number"]),
        c("end_date").dt.year().alias("year"),
    )


def _history_priors(history: pl.DataFrame) -> pl.DataFrame:
    """History records as 'earlier records' of their person: counting claims, certificates, upgrades."""
    history = history.with_columns(normalised_ids(history["id_number"]))
    claims = history.filter((c("record_type") == "claim") & c("status").is_in(list(COUNTING_STATUSES))).select(
        "person", pl.lit(-1, pl.Int64).alias("seq"), c("record_id").alias("ref"), pl.lit("claim").alias("kind"),
        "training_type", "occupation_code", "level", "item_code", "project_id",
        c("end_date").dt.year().alias("year"), c("end_date").alias("date"),
    )
    held = history.filter(c("record_type").is_in(["certificate", "skill_upgrade"])).select(
        "person", pl.lit(-1, pl.Int64).alias("seq"), c("record_id").alias("ref"),
        pl.when(c("record_type") == "certificate").then(pl.lit("certificate")).otherwise(pl.lit("upgrade"))
        .alias("kind"),
        pl.lit("occupational").alias("training_type"), "occupation_code", "level",
        pl.lit(None, pl.String).alias("item_code"), pl.lit(None, pl.String).alias("project_id"),
        pl.lit(None, pl.Int32).alias("year"), c("record_date").alias("date"),
    )
    return pl.concat([claims, held], how="vertical_relaxed")


def _batch_priors(accepted: pl.DataFrame) -> pl.DataFrame:
    """Accepted batch claims join the history; a passed occupational one brings its certificate,
    dated its end date (RULES "Many claims at once", reading 12)."""
    as_claims = accepted.select(
        "person", "seq", c("claim_id").alias("ref"), pl.lit("claim").alias("kind"), "training_type",
        "occupation_code", "level", "item_code", "project_id", "year", c("end_date").alias("date"),
    )
    as_certificates = accepted.filter((c("training_type") == "occupational") & c("passed")).select(
        "person", "seq", c("claim_id").alias("ref"), pl.lit("certificate").alias("kind"), "training_type",
        "occupation_code", "level", pl.lit(None, pl.String).alias("item_code"),
        pl.lit(None, pl.String).alias("project_id"), "year", c("end_date").alias("date"),
    )
    return pl.concat([as_claims, as_certificates], how="vertical_relaxed")


# ---------------------------------------------------------------- limits

def _limit_flags(claims: pl.DataFrame, priors: pl.DataFrame, trace: bool, all_earlier: bool = False) -> pl.DataFrame:
    """For each claim, which limit rules an earlier record of the same person trips, and how many
    counting claims came before it. Only records with a smaller `seq` are earlier; history records
    (`all_earlier`) precede every claim, so they are first reduced to their distinct keys."""
    out = claims.select("seq")
    if not trace and (priors.height == 0 or claims.height == 0):
        # Nothing earlier (or nothing to check): every join below would find no row. Answered without
        # planning them — the common case online, a frame of one claim of a person with no history.
        return _nothing_tripped(out)
    claims_lazy, priors_lazy = claims.lazy(), priors.lazy()
    for rule in LIMIT_RULES:
        hits = pl.concat([_hits(claims_lazy, priors_lazy, match, trace, all_earlier) for match in rule.matches])
        hits = hits.group_by("seq").agg(c("refs").list.explode(keep_nulls=False, empty_as_null=False).unique().sort()).collect()
        out = out.join(hits, on="seq", how="left").with_columns(c("refs").is_not_null().alias(rule.id))
        out = out.rename({"refs": f"refs_{rule.id}"}) if trace else out.drop("refs")
    counted = _counted(claims_lazy, priors_lazy, trace, all_earlier)
    out = out.join(counted, on="seq", how="left").with_columns(c("n").fill_null(0))
    return out.rename({"refs": "refs_3.5b"}) if trace else out


def _nothing_tripped(out: pl.DataFrame) -> pl.DataFrame:
    """`_limit_flags`' result when no earlier record exists: no rule tripped, no counting claim before."""
    return out.with_columns(*(pl.lit(False).alias(rule.id) for rule in LIMIT_RULES), pl.lit(0, pl.Int64).alias("n"))


def _hits(claims: pl.LazyFrame, priors: pl.LazyFrame, match, trace: bool, all_earlier: bool) -> pl.LazyFrame:
    """The claims that `match` trips, each with the IDs of the records that trip it."""
    keys = list(match.keys)
    left = claims.filter(match.claim_filter()).select(*dict.fromkeys(["seq", *keys, "level", "end_date"]))
    right = priors.filter(match.prior_filter()).select(
        *keys, c("seq").alias("seq_p"), c("ref").alias("ref_p"), c("level").alias("level_p"),
        c("date").alias("date_p"),
    )
    if all_earlier and match.condition is None:
        right = right.group_by(keys).agg(c("ref_p").alias("refs"), c("seq_p").min())
        return left.join(right, on=keys, how="inner").select("seq", c("refs") if trace else pl.lit([], pl.List(
            pl.String)).alias("refs"))
    joined = left.join(right, on=keys, how="inner").filter(c("seq_p") < c("seq"))
    if match.condition is not None:
        joined = joined.filter(match.condition())
    return joined.group_by("seq").agg(c("ref_p").alias("refs"))


def _counted(claims: pl.LazyFrame, priors: pl.LazyFrame, trace: bool, all_earlier: bool) -> pl.DataFrame:
    """3.5b: the counting claims before each claim."""
    earlier = priors.filter(c("kind") == "claim").select("person", c("seq").alias("seq_p"), c("ref").alias("ref_p"))
    if all_earlier:
        per_person = earlier.group_by("person").agg(pl.len().cast(pl.Int64).alias("n"), c("ref_p").alias("refs"))
        joined = claims.select("seq", "person").join(per_person, on="person", how="inner")
        return joined.select("seq", "n", *(["refs"] if trace else [])).collect()
    joined = claims.select("seq", "person").join(earlier, on="person", how="inner").filter(c("seq_p") < c("seq"))
    aggregations = [pl.len().cast(pl.Int64).alias("n")] + ([c("ref_p").alias("refs")] if trace else [])
    return joined.group_by("seq").agg(aggregations).collect()


def _join_flags(frame: pl.DataFrame, flags: pl.DataFrame, prefix: str) -> pl.DataFrame:
    renamed = flags.rename({name: f"{prefix}_{name}" for name in flags.columns if name != "seq"})
    defaults: dict[str, object] = {f"{prefix}_{rid}": False for rid in _LIMIT_IDS} | {f"{prefix}_n": 0}
    return _attach(frame, renamed, defaults)


def _attach(frame: pl.DataFrame, found: pl.DataFrame, defaults: dict[str, object]) -> pl.DataFrame:
    """Per-claim results (`found`, keyed by seq, each claim at most once) onto `frame`, whose row i is
    the claim with seq i: written by position, so the wide frame is not copied by a join. Claims not in
    `found` get the default; extra columns of `found` (trace: lists of record IDs) are joined."""
    columns = [
        pl.repeat(default, frame.height, dtype=found.schema[name], eager=True)
        .scatter(found["seq"], found[name]).alias(name)
        for name, default in defaults.items()
    ]
    out = frame.with_columns(columns)
    extra = [name for name in found.columns if name != "seq" and name not in defaults]
    return out.join(found.select("seq", *extra), on="seq", how="left") if extra else out


def _accept_in_order(candidates: pl.DataFrame, say: Progress) -> pl.DataFrame:
    """The candidates accepted when claims arrive one by one, decided in rounds, not claim by claim.

    A person's first candidate is always accepted: it passed every claim rule and the history, and no
    batch claim of that person was accepted before it. Each round then decides every person's next
    candidate against that person's accepted ones.
    """
    several = candidates["person"].is_duplicated()
    if not several.any():
        return candidates  # one candidate per person: each is its person's first, accepted outright
    ranked = candidates.filter(several).with_columns(pl.col("seq").rank("ordinal").over("person").alias("place"))
    accepted = [candidates.filter(~several), ranked.filter(c("place") == 1).drop("place")]
    pending = ranked.filter(c("place") > 1)
    taken = _batch_priors(accepted[1])
    rounds = 0
    while pending.height:
        rounds += 1
        frontier = pending.filter(c("place") == c("place").min().over("person"))
        flags = _limit_flags(frontier, taken, trace=False)
        checked = frontier.join(flags, on="seq", how="left").with_columns(
            *(c(rid).fill_null(False) for rid in _LIMIT_IDS), c("n").fill_null(0)
        )
        clear = ~pl.any_horizontal(c(rid) for rid in _LIMIT_IDS) & (c("h_n") + c("n") < MAX_COUNTED_TRAININGS)
        newly = checked.filter(clear).select(candidates.columns)
        accepted.append(newly)
        taken = pl.concat([taken, _batch_priors(newly)], how="vertical_relaxed")
        pending = pending.filter(~c("seq").is_in(frontier["seq"].implode()))
        say(f"batch round {rounds}")
    return pl.concat(accepted, how="vertical_relaxed")


def _batch_flags(frame: pl.DataFrame, accepted: pl.DataFrame, trace: bool) -> pl.DataFrame:
    """Every claim that comes after an accepted claim of the same person, against the accepted before it."""
    several = frame.filter(frame["person"].is_duplicated())  # a single claim has no batch claim before it
    if not several.height and not trace:
        return _nothing_tripped(several.select("seq"))  # no person with two claims in the batch
    first_accepted = accepted.filter(c("person").is_in(several["person"].implode())).group_by("person").agg(
        c("seq").min().alias("first_accepted"))
    later = several.join(first_accepted, on="person", how="inner").filter(c("seq") > c("first_accepted"))
    persons = later["person"].unique().implode()
    return _limit_flags(later, _batch_priors(accepted.filter(c("person").is_in(persons))), trace)


def _with_blacklist(frame: pl.DataFrame, history: pl.DataFrame, trace: bool) -> pl.DataFrame:
    """6d: the person, or the institution that delivered the training, listed on the end date
    (first and last day inclusive; RULES readings 6 and 8)."""
    listed = history.filter(c("record_type") == "blacklist")
    if not listed.height and not trace:
        return frame.with_columns(pl.lit(False).alias("f_6d"))  # no entry: nobody is listed
    listed = listed.with_columns(normalised_ids(listed["id_number"]))
    on_list = c("listed_from") <= c("end_date")
    not_ended = c("listed_until").is_null() | (c("end_date") <= c("listed_until"))
    hits = []
    for key, column in (("person", "person"), ("institution_id", "institution_id")):
        entries = listed.filter(c(column).is_not_null()).select(
            c(column).alias(key), "listed_from", "listed_until", c("record_id").alias("ref")
        )
        hits.append(
            frame.lazy().select("seq", key, "end_date").join(entries.lazy(), on=key, how="inner")
            .filter(on_list & not_ended).select("seq", "ref").collect()
        )
    found = pl.concat(hits).group_by("seq").agg(c("ref").unique().sort().alias("refs_6d"))
    found = found.with_columns(pl.lit(True).alias("f_6d"))
    return _attach(frame, found if trace else found.drop("refs_6d"), {"f_6d": False})


# ---------------------------------------------------------------- outcome

def _with_denials(frame: pl.DataFrame) -> pl.DataFrame:
    failed = {rule.id: c(f"f_{rule.id}") for rule in (*CLAIM_RULES, BLACKLIST_RULE)}
    failed |= {rid: c(f"h_{rid}") | c(f"b_{rid}") for rid in _LIMIT_IDS}
    failed[COUNT_RULE.id] = (c("h_n") + c("b_n")) >= MAX_COUNTED_TRAININGS
    assert set(failed) == set(RULE_IDS)
    ordered = sorted(failed)  # EXCHANGE.md: code-point order
    names = pl.concat_str([pl.when(failed[rid]).then(pl.lit(rid + ";")).otherwise(pl.lit("")) for rid in ordered])
    denied = names.str.strip_suffix(";")
    return frame.with_columns(denied.alias("denied_by")).with_columns((c("denied_by") == "").alias("eligible"))


def _check_consistency(frame: pl.DataFrame, accepted: pl.DataFrame) -> None:
    """The rounds and the final check must agree; if not, the engine is wrong and must not pay."""
    eligible = frame.filter(c("eligible"))["seq"].sort()
    if not eligible.equals(accepted["seq"].sort()):
        raise RuntimeError("decision engine inconsistency: accepted set differs from the final check")


def _with_amounts(frame: pl.DataFrame, params: ParamSet) -> pl.DataFrame:
    """RULES "Amounts": the standard on the end date x (1 + AI uplift), 600 + 200, or the UI standard;
    exact decimals, rounded half up to the fen once, at the end."""
    standards = [*params.standards, *params.ui_standards]
    table = pl.DataFrame(
        {
            "std_key": [s.key for s in standards],
            "standard_index": list(range(len(standards))),
            "valid_from": [s.valid_from for s in standards],
            "valid_to": [s.valid_to or dt.date.max for s in standards],
        },
        schema={"std_key": pl.String, "standard_index": pl.Int64, "valid_from": pl.Date, "valid_to": pl.Date},
    )
    key = (
        pl.when(c("fund") == "unemployment_insurance").then(pl.lit(UI_KEY))
        .when((c("fund") == "employment_subsidy") & (c("training_type") == "occupational"))
        .then(pl.format("occupational:{}", c("level")))
        .when((c("fund") == "employment_subsidy") & (c("training_type") == "entrepreneurship"))
        .then(pl.format("entrepreneurship:{}", c("course_kind")))
        .when(c("fund") == "employment_subsidy").then(c("training_type"))
        .otherwise(None)
    )
    eligible = frame.filter(c("eligible")).select("seq", "claim_id", "end_date", key.alias("std_key"))
    found = (
        eligible.join(table, on="std_key", how="inner")
        .filter((c("valid_from") <= c("end_date")) & (c("end_date") <= c("valid_to")))
        .select("seq", "standard_index")
    )
    frame = frame.join(found, on="seq", how="left")  # narrow here: only what pricing reads
    missing = frame.filter(c("eligible") & c("fund").is_in(["employment_subsidy", UI_KEY])
                           & c("standard_index").is_null())
    if missing.height:
        _raise_no_standard(missing.with_columns(key.alias("std_key")))
    uplifted = (c("fund") == "employment_subsidy") & (c("training_type") == "occupational") & c(
        "occupation_code").is_in(sorted(params.ai_occupations))
    uplifts = {code[:4]: str(value) for code, value in params.ai_uplift.items()}
    city_uplift = c("city_code").str.slice(0, 4).replace_strict(uplifts, default="0", return_dtype=pl.String)
    # 5.2c: a proof dated on or after end date + the figure's calendar months (any of the three kinds); Polars
    # clamps to the month's last day (RULES reading 14).
    proof_due = proof_due_expr(params.plan)
    earned = (c("fund") == "special_account") & c("employment_proof_kind").is_not_null() & (
        c("employment_proof_date") >= proof_due).fill_null(False)
    special = c("fund") == "special_account"
    # 5.2b: 每人……元; 5.2c: 每人……元 — the figures in force on each claim's end date, as exact text.
    training_figure = in_force(params.plan, "special_account_training_amount", lambda v: pl.lit(str(v)))
    employment_figure = in_force(params.plan, "special_account_employment_amount", lambda v: pl.lit(str(v)))
    frame = frame.with_columns(
        pl.when(uplifted).then(city_uplift).otherwise(pl.lit("0")).alias("uplift"),
        earned.alias("employment_earned"),
        pl.when(special).then(training_figure).otherwise(None).alias("plan_training"),
        pl.when(special & earned).then(employment_figure).otherwise(None).alias("plan_employment"),
    )
    combos = frame.filter(c("eligible")).select(*_PRICE_KEYS).unique()
    priced = pl.DataFrame(
        [_price(row, standards) for row in combos.iter_rows(named=True)],
        schema={"fund": pl.String, "standard_index": pl.Int64, "uplift": pl.String, "employment_earned": pl.Boolean,
                "plan_training": pl.String, "plan_employment": pl.String,
                "training_amount": pl.String, "employment_amount": pl.String, "total_amount": pl.String},
        orient="row",
    )
    frame = frame.join(priced, on=list(_PRICE_KEYS), how="left",
                       nulls_equal=True)
    return frame.with_columns(
        *(pl.when(c("eligible")).then(c(name)).otherwise(pl.lit(ZERO)).alias(name)
          for name in ("training_amount", "employment_amount", "total_amount"))
    )


def proof_due_expr(plan: PlanFigures, end_date: pl.Expr | None = None) -> pl.Expr:
    """5.2c: the first day a proof of employment earns the subsidy, per claim (end date + the months in force)."""
    end = c("end_date") if end_date is None else end_date
    return in_force(plan, "employment_proof_months", lambda months: end.dt.offset_by(f"{months}mo"), day=end)


_PRICE_KEYS = ("fund", "standard_index", "uplift", "employment_earned", "plan_training", "plan_employment")


def _price(row: dict, standards: list) -> tuple:
    """One distinct combination of fund, standard, uplift and the 5.2b/5.2c figures, priced in exact decimals."""
    if row["fund"] == "special_account":
        training = Decimal(row["plan_training"])
        employment = Decimal(row["plan_employment"]) if row["plan_employment"] is not None else Decimal("0")
    else:
        # 4.2: AI occupations' standard x (1 + the city's uplift), uplift ≤ 20%.
        training = standards[row["standard_index"]].amount * (Decimal("1") + Decimal(row["uplift"]))
        employment = Decimal("0")
    training_fen = training.quantize(FEN, rounding=ROUND_HALF_UP)
    employment_fen = employment.quantize(FEN, rounding=ROUND_HALF_UP)
    total = (training + employment).quantize(FEN, rounding=ROUND_HALF_UP)
    return (*(row[key] for key in _PRICE_KEYS), str(training_fen), str(employment_fen), str(total))


def _raise_no_standard(missing: pl.DataFrame) -> None:
    lines = []
    for key, group in missing.group_by("std_key", maintain_order=True):
        ids = group["claim_id"].head(5).to_list()
        first = group["end_date"].min()
        lines.append(f"no standard for {key[0]} on {first} (claims {', '.join(ids)}"
                     f"{' ...' if group.height > 5 else ''}) / 缺少补贴标准 {key[0]}（{first}）")
    raise NoStandardError("; ".join(lines))
