"""The synthetic province's demand side (1b, 1c, 1d, 1e), grown from the classes, enrolments and certificates the
load has just written, so the demand pages agree with the training pages:

- **census rounds** (技能需求普查, 1c): one province-wide round a year up to the province's day, and one round per
  city in its last year;
- **demand reports** (with their first version, and a later change for some): part of them filed 5 to 85 days
  before an approved class of the same occupation, level and city starts (answered within the 90 days of
  `insight/matching.yaml`), part of them naming an occupation-level no class of the city teaches (unanswered: the
  city's queue, the gap table's largest rows);
- **workers' skill gaps** (demand.WorkerNeed with its first version) of some trainees, and **contact consents**
  of some certificate holders (a few withdrawn again);
- **employment follow-ups** (1e 跟踪服务) at 3, 6 and 12 months for the completed trainees of finished classes,
  where that checkpoint has passed by the programme's day;
- **training brands** (1d): the city with most classes of an occupation names "城市+职业+培训"; the province
  publishes all but the last, which waits for it; each brand links the city's approved classes of its occupation.

Rows are written in bulk (`web.tabular.write_frame`), as the rest of the province is: they are the rows the demand,
training and brands services write, by the synthetic province's own account, inside the load's transaction. The
same seed and day give the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import numpy as np
import polars as pl
from django.apps import apps
from django.db import models

from qiancheng import clock
from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import User
from qiancheng.brands.naming import read_name
from qiancheng.catalog.models import City, County, Industry, Occupation
from qiancheng.synth.records import at_local
from qiancheng.training.models import APPROVED_STATES
from qiancheng.web.tabular import next_id, write_frame

# In insertion order; the load deletes them in reverse, before the classes and enrolments they point at.
MODELS = (
    "demand.CensusRound", "demand.DemandReport", "demand.DemandReportVersion", "demand.WorkerNeed",
    "demand.WorkerNeedVersion", "demand.ContactConsent", "training.EmploymentFollowUp", "brands.TrainingBrand",
)
PROGRAMME_START = dt.date(2025, 1, 1)
ANSWER_LEAD_DAYS = (5, 85)  # a report filed this many days before its class starts: answered within 90 days
QUEUE_AGE_DAYS = 100  # most unanswered reports are older than the 90 days, so the city's queue shows them
FOLLOW_UP_MONTHS = (3, 6, 12)
FOLLOW_UP_STATUSES = ("employed", "self_employed", "not_employed", "unreachable")
FOLLOW_UP_WEIGHTS = (0.55, 0.15, 0.2, 0.1)
BRANDS = 4
Write = Callable[[str, pl.DataFrame], None]


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _frame(label: str, written: dict[str, list[int]], *fields: str, **filters: object) -> pl.DataFrame:
    """The rows of `label` this load wrote (by its id range), as a frame of `fields`."""
    span = written.get(label)
    if not span:
        return pl.DataFrame({name: [] for name in fields})
    rows = list(_model(label)._default_manager.filter(pk__range=span, **filters).order_by("pk").values_list(*fields))
    return pl.DataFrame(rows, schema=list(fields), orient="row")


def _need_key(occupation: str, level: int, county: str) -> str:
    """As `demand.services` keys a need: occupation, level, no content, county."""
    return hashlib.sha256(f"{occupation}|{level}||{county}".encode()).hexdigest()


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))


def grow_demand(seed: int, as_of: dt.date, actor: User, written: dict[str, list[int]], write: Write) -> None:
    """Write the demand side of the province of `seed` on `as_of`, from the rows in `written`, through `write`
    (label, frame), which records counts and id ranges as the load does for its other tables."""
    rng = np.random.default_rng([seed, 0x1C])
    day = min(as_of, clock.today())
    classes = _frame("training.TrainingClass", written, "id", "city_id", "occupation_id", "level", "start_date",
                     "end_date", "status", occupation__isnull=False, level__isnull=False,
                     status__in=list(APPROVED_STATES))
    enterprises = _frame("demand.Enterprise", written, "id", "city_id", "name", status="approved")
    counties = pl.DataFrame(list(County.objects.filter(is_current=True).order_by("code").values_list("code", "city_id")),
                            schema=["county_id", "city_id"], orient="row")
    industries = sorted(Industry.objects.filter(is_active=True).values_list("code", flat=True))
    if classes.is_empty() or enterprises.is_empty() or not industries:
        return
    rounds = _census_rounds(as_of, actor, write)
    _reports(rng, classes, enterprises, counties, industries, rounds, day, actor, write)
    _worker_needs(rng, classes, counties, written, day, actor, write)
    _consents(rng, written, day, actor, write)
    _follow_ups(rng, written, enterprises, day, actor, write)
    _brands(classes, day, actor, written, write)


def _census_rounds(as_of: dt.date, actor: User, write: Write) -> pl.DataFrame:
    first = next_id(_model("demand.CensusRound"))
    rows = [(f"{year}年全区技能需求普查", dt.date(year, 1, 1), dt.date(year, 12, 31), "province", None)
            for year in range(PROGRAMME_START.year, as_of.year + 1)]
    rows += [(f"{as_of.year}年{name}技能需求普查", dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31), "city", code)
             for code, name in City.objects.order_by("code").values_list("code", "name")]
    frame = pl.DataFrame(rows, schema={"title": pl.String, "period_from": pl.Date, "period_to": pl.Date,
                                       "scope": pl.String, "city_id": pl.String}, orient="row")
    frame = frame.with_row_index("id", offset=first).with_columns(
        pl.col("id").cast(pl.Int64), pl.lit(None, pl.String).alias("park_id"), pl.lit(actor.pk).alias("opened_by_id"))
    write("demand.CensusRound", frame)
    return frame


def _reports(rng: np.random.Generator, classes: pl.DataFrame, enterprises: pl.DataFrame, counties: pl.DataFrame,
             industries: list[str], rounds: pl.DataFrame, day: dt.date, actor: User, write: Write) -> None:
    by_city_enterprises = {city: group["id"].to_list() for (city,), group in enterprises.group_by("city_id")}
    by_city_counties = {city: group["county_id"].to_list() for (city,), group in counties.group_by("city_id")}
    taught = set(classes.select("occupation_id", "level", "city_id").iter_rows())
    trades = sorted({(occupation, level) for occupation, level, _ in taught})
    rows: list[tuple[int, str, int, dt.date]] = []  # enterprise, occupation, level, filed on

    # Answered: filed shortly before a class of the same occupation, level and city starts.
    low, high = ANSWER_LEAD_DAYS
    starting = classes.filter(pl.col("start_date").is_between(PROGRAMME_START + dt.timedelta(days=high),
                                                              day + dt.timedelta(days=low)))
    answered = max(8, classes.height // 5)
    for index in sorted(rng.choice(starting.height, size=min(answered, starting.height), replace=False)):
        _, city, occupation, level, start, _, _ = starting.row(int(index))
        # filed by the programme's day: a class starting after it was asked for before it
        filed = start - dt.timedelta(days=int(rng.integers(max(low, (start - day).days), high)))
        if city in by_city_enterprises:
            rows.append((int(rng.choice(by_city_enterprises[city])), occupation, level, filed))
    # Unanswered: an occupation-level the province teaches elsewhere, but no class of the city does.
    cities = sorted(by_city_enterprises)
    span = (day - PROGRAMME_START).days
    # Every city's queue holds one at least (each city official sees one), then more at random.
    extra = [cities[int(rng.integers(len(cities)))] for _ in range(max(6, len(rows) // 2))]
    for number, city in enumerate([*cities, *extra]):
        missing = [trade for trade in trades if (*trade, city) not in taught]
        if not missing or span <= QUEUE_AGE_DAYS:
            continue
        occupation, level = missing[int(rng.integers(len(missing)))]
        # four in five old enough for the queue, the rest recent (unmatched, but not overdue yet)
        overdue = number < len(cities) or rng.random() < 0.8
        age = int(rng.integers(QUEUE_AGE_DAYS, span)) if overdue else int(rng.integers(0, 60))
        rows.append((int(rng.choice(by_city_enterprises[city])), occupation, level, day - dt.timedelta(days=age)))

    province_rounds = {row[2].year: row[0] for row in rounds.filter(pl.col("scope") == "province").iter_rows()}
    city_rounds = {row[4]: row[0] for row in rounds.filter(pl.col("scope") == "city").iter_rows()}
    city_of = dict(enterprises.select("id", "city_id").iter_rows())
    first = next_id(_model("demand.DemandReport"))
    reports, seen = [], set()
    for enterprise, occupation, level, filed in rows:
        city = city_of[enterprise]
        county = by_city_counties[city][int(rng.integers(len(by_city_counties[city])))]
        in_city_round = filed.year == day.year and city in city_rounds and rng.random() < 0.5
        census = city_rounds[city] if in_city_round else province_rounds[filed.year]
        key = _need_key(occupation, level, county)
        if (census, enterprise, key) in seen:
            continue
        seen.add((census, enterprise, key))
        reports.append({
            "id": first + len(reports), "census_round_id": census, "enterprise_id": enterprise,
            "occupation_id": occupation, "level": level, "content": "", "headcount": int(rng.integers(5, 41)),
            "wage_offered": int(rng.integers(35, 81)) * 100, "county_id": county,
            "industry_id": industries[int(rng.integers(len(industries)))],
            "deadline": filed + dt.timedelta(days=180), "will_hire": bool(rng.random() < 0.7), "need_key": key,
            "created_by_id": actor.pk, "filed_on": filed,
        })
    frame = pl.DataFrame(reports).with_columns(pl.col("wage_offered").cast(pl.Decimal(9, 2)))
    write("demand.DemandReport", frame.drop("filed_on"))

    # The first version on the filing day; one in five changed its headcount a month later (if that has come).
    version = ["headcount", "wage_offered", "industry_id", "deadline", "will_hire"]
    firsts = frame.select(pl.col("id").alias("report_id"), *version, at_local("filed_on", 10).alias("recorded_at"))
    changed = frame.filter(pl.Series(rng.random(frame.height) < 0.2)
                           & (pl.col("filed_on") + pl.duration(days=30) <= day)).select(
        pl.col("id").alias("report_id"), (pl.col("headcount") + 5).alias("headcount"),
        *version[1:], at_local("filed_on", 10).dt.offset_by("30d").alias("recorded_at"))
    versions = pl.concat([firsts, changed]).sort("report_id", "recorded_at")
    versions = versions.with_row_index("id", offset=next_id(_model("demand.DemandReportVersion"))).with_columns(
        pl.col("id").cast(pl.Int64), pl.lit(actor.pk).alias("recorded_by_id"))
    write("demand.DemandReportVersion", versions)


def _worker_needs(rng: np.random.Generator, classes: pl.DataFrame, counties: pl.DataFrame,
                  written: dict[str, list[int]], day: dt.date, actor: User, write: Write) -> None:
    enrolments = _frame("training.Enrolment", written, "person_id", "training_class__city_id")
    people = enrolments.unique("person_id", keep="first", maintain_order=True)
    if people.is_empty():
        return
    trades = sorted(set(classes.select("occupation_id", "level").iter_rows()))
    by_city_counties = {city: group["county_id"].to_list() for (city,), group in counties.group_by("city_id")}
    chosen = sorted(rng.choice(people.height, size=max(20, people.height // 50), replace=False)
                    if people.height > 20 else range(people.height))
    rows, seen = [], set()
    first = next_id(_model("demand.WorkerNeed"))
    for index in chosen:
        person, city = people.row(int(index))
        occupation, level = trades[int(rng.integers(len(trades)))]
        if (person, occupation, level) in seen or city not in by_city_counties:
            continue
        seen.add((person, occupation, level))
        filed = day - dt.timedelta(days=int(rng.integers(0, 300)))
        rows.append({
            "id": first + len(rows), "person_id": person, "occupation_id": occupation, "level": level,
            "county_id": by_city_counties[city][int(rng.integers(len(by_city_counties[city])))],
            "willingness": str(rng.choice(["willing", "undecided", "unwilling"], p=[0.6, 0.25, 0.15])),
            "reported_by": "self" if rng.random() < 0.7 else "on_behalf", "created_by_id": actor.pk, "filed_on": filed,
        })
    needs = pl.DataFrame(rows)
    write("demand.WorkerNeed", needs.drop("filed_on").rename({"person_id": "person_key"}))
    versions = needs.select(pl.col("id").alias("need_id"), "county_id", "willingness", "reported_by",
                            at_local("filed_on", 10).alias("recorded_at"), pl.col("created_by_id").alias("recorded_by_id"))
    write("demand.WorkerNeedVersion", versions.with_row_index("id", offset=next_id(_model("demand.WorkerNeedVersion")))
          .with_columns(pl.col("id").cast(pl.Int64)))


def _consents(rng: np.random.Generator, written: dict[str, list[int]], day: dt.date, actor: User,
              write: Write) -> None:
    """Two in five holders of a valid certificate consent to be contacted; one in ten of them withdrew later."""
    holders = _frame("evaluation.Certificate", written, "person_id", "issued_on", status="valid").filter(
        pl.col("issued_on") <= day).sort("issued_on").unique("person_id", keep="first", maintain_order=True)
    if holders.is_empty():
        return
    holders = holders.filter(pl.Series(rng.random(holders.height) < 0.4))
    n = holders.height
    given = holders["issued_on"] + pl.Series([dt.timedelta(days=int(d)) for d in rng.integers(1, 30, n)])
    withdrawn = pl.Series(rng.random(n) < 0.1) & (given + dt.timedelta(days=30) <= day)
    frame = holders.select("person_id").with_columns(
        pl.Series("scope", np.where(rng.random(n) < 0.7, "profile", "phone")),
        given.clip(upper_bound=day).alias("given_on"), withdrawn.alias("withdrawn"))
    frame = frame.select(
        pl.col("person_id").alias("person_key"), "scope", at_local("given_on", 11).alias("given_at"), pl.lit(actor.pk).alias("given_by_id"),
        pl.when("withdrawn").then(at_local("given_on", 11).dt.offset_by("30d")).alias("withdrawn_at"),
        pl.when("withdrawn").then(pl.lit(actor.pk)).alias("withdrawn_by_id"),
    ).with_row_index("id", offset=next_id(_model("demand.ContactConsent"))).with_columns(pl.col("id").cast(pl.Int64))
    write("demand.ContactConsent", frame)


def _follow_ups(rng: np.random.Generator, written: dict[str, list[int]], enterprises: pl.DataFrame, day: dt.date,
                actor: User, write: Write) -> None:
    """1e: each completed trainee of a finished class, at every checkpoint that has passed by the programme's day."""
    done = _frame("training.Enrolment", written, "id", "person_id", "training_class__end_date",
                  "training_class__city_id", status="completed", training_class__status="finished")
    if done.is_empty():
        return
    ends = done["training_class__end_date"].to_list()
    rows = [(enrolment, months, observed) for enrolment, end in zip(done["id"].to_list(), ends, strict=True)
            for months in FOLLOW_UP_MONTHS if (observed := _add_months(end, months)) <= day]
    if not rows:
        return
    frame = pl.DataFrame(rows, schema={"enrolment_id": pl.Int64, "months": pl.Int64, "observed_on": pl.Date},
                         orient="row").join(done.select(pl.col("id").alias("enrolment_id"), "person_id",
                                                        pl.col("training_class__city_id").alias("city_id")),
                                            on="enrolment_id", how="left", maintain_order="left")
    status = rng.choice(FOLLOW_UP_STATUSES, size=frame.height, p=FOLLOW_UP_WEIGHTS)
    names = {city: group["name"].to_list() for (city,), group in enterprises.group_by("city_id")}
    employer = [names[city][int(pick * len(names[city]))] if kind == "employed" and city in names
                else ("个体经营" if kind == "self_employed" else "")
                for city, kind, pick in zip(frame["city_id"].to_list(), status, rng.random(frame.height), strict=True)]
    frame = frame.with_columns(pl.Series("status", status), pl.Series("employer", employer, pl.String)).select(
        "enrolment_id", pl.col("person_id").alias("person_key"), "months", "status", "employer", "observed_on",
        pl.lit(actor.pk).alias("recorded_by_id"), pl.lit("institution").alias("recorder_role"),
        at_local("observed_on", 16).alias("recorded_at"),
    ).with_row_index("id", offset=next_id(_model("training.EmploymentFollowUp"))).with_columns(pl.col("id").cast(pl.Int64))
    write("training.EmploymentFollowUp", frame)


def _brands(classes: pl.DataFrame, day: dt.date, actor: User, written: dict[str, list[int]], write: Write) -> None:
    """The cities' largest occupations name a brand each; the province published all but the last."""
    ranked = classes.group_by("city_id", "occupation_id").len().sort(["len", "city_id", "occupation_id"],
                                                                         descending=[True, False, False])
    occupation_names = dict(Occupation.objects.values_list("code", "name"))
    cities = {city.code: city for city in City.objects.all()}
    Brand = _model("brands.TrainingBrand")
    taken = set(Brand._default_manager.values_list("name", flat=True))
    rows, links, used_cities = [], [], set()
    first = next_id(Brand)
    for city_code, occupation, _ in ranked.iter_rows():
        if len(rows) == BRANDS:
            break
        if city_code in used_cities:
            continue
        city = cities[city_code]
        name = f"{city.name.removesuffix('市')}{occupation_names.get(occupation, '')}培训"
        reading = read_name(name, city)
        if not reading.fits or reading.name in taken or reading.occupation is None:
            continue
        used_cities.add(city_code)
        brand_id = first + len(rows)
        published = len(rows) < BRANDS - 1
        rows.append({
            "id": brand_id, "name": reading.name, "city_id": city_code,
            "county_id": reading.county.code if reading.county else None, "enterprise_id": None,
            "place_text": reading.place_text, "occupation_id": reading.occupation.code, "item_id": None,
            "description": f"{city.name}人社局申报的{reading.occupation.name}培训品牌，关联本市已批准的同职业培训班。",
            "status": "published" if published else "proposed", "proposed_by_id": actor.pk,
            "proposed_at": day - dt.timedelta(days=60), "decided_by_id": actor.pk if published else None,
            "decided_at": day - dt.timedelta(days=30) if published else None,
            "decision_reason": "",
        })
        linked = classes.filter((pl.col("city_id") == city_code) & (pl.col("occupation_id") == occupation))["id"]
        links.extend((brand_id, int(each)) for each in linked)
    if not rows:
        return
    frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        *(at_local(column, 10).alias(column) for column in ("proposed_at", "decided_at")))
    write("brands.TrainingBrand", frame)
    through = Brand.classes.through
    columns = (through._meta.get_field("trainingbrand").column, through._meta.get_field("trainingclass").column)
    write_frame(through, pl.DataFrame(links, schema=list(columns), orient="row"))
    for brand in Brand._default_manager.filter(pk__range=written["brands.TrainingBrand"]):
        record_event(actor, "brand.proposed", brand, after={"name": brand.name, "city_id": brand.city_id})
        if brand.status == "published":
            record_event(actor, "brand.published", brand, after={"status": brand.status})


def remove_links(written: dict[str, list[int]]) -> None:
    """The brands' class links (a table without its own id range), before the brands and classes go."""
    span = written.get("brands.TrainingBrand")
    if span:
        _model("brands.TrainingBrand").classes.through._default_manager.filter(
            trainingbrand__pk__range=span).delete()
