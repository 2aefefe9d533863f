"""The one writer of targets (1a): the province records a year's target, its own or a city's split, with the
document that sets it, from a day; every entry is kept (a change is a new entry) and audited.

What an entry may say (docs/statistics.md, "Targets"):
- only the province sets targets, and only for a year the plan sets one for (1a: 2025, 2026, 2027);
- an entry takes effect within its year at the latest (valid_from no later than 31 December of the year)
  and not before the plan's first year;
- the province's own target is never below the plan's figure for the year (the plan's 18万 / 21万 are
  what the year must reach; the province may aim higher, not lower);
- the cities' splits in force on any day add up to no more than the province's target in force that day:
  a city's split cannot exceed what the province target leaves after the other cities' splits, and the
  province cannot lower its target under the splits already made. Checked on the new entry's first day
  and on every later day an entry of that year takes effect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event, record_events
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City
from qiancheng.insight import rating
from qiancheng.insight.models import RatingSnapshot, Target
from qiancheng.policy.params import plan_figures
from qiancheng.providers.models import Institution
from qiancheng.providers.ratings import RatingInForce

DOCUMENT_MAX = 255
COUNT_MAX = 10_000_000  # far above any province's year; keeps a typo (an extra zero or three) out


def _refuse(code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"{zh} / {en}", code=code)


def _province_count(entries: list[Target], year: int, day: dt.date) -> int | None:
    """The province's target of `year` in force on `day` among `entries` (the plan's figure without one)."""
    own = [entry for entry in entries if entry.city_id is None and entry.valid_from <= day]
    if own:
        return max(own, key=lambda entry: (entry.valid_from, entry.pk or 0)).count
    return plan_figures().annual_target(year)


def _splits(entries: list[Target], day: dt.date) -> int:
    """The cities' splits in force on `day` among `entries`, added up."""
    newest: dict[str, Target] = {}
    for entry in entries:
        if entry.city_id is None or entry.valid_from > day:
            continue
        held = newest.get(entry.city_id)
        if held is None or (entry.valid_from, entry.pk or 0) > (held.valid_from, held.pk or 0):
            newest[entry.city_id] = entry
    return sum(entry.count for entry in newest.values())


def set_target(actor: Any, year: int, city_code: str | None, count: int, document: str,
               valid_from: dt.date | None) -> Target:
    """Record the target of `year` for a city (`city_code`) or the province (None), from `valid_from`."""
    if getattr(actor, "role", None) != Role.PROVINCE_OFFICIAL:
        raise PermissionDenied("只有自治区人社厅可以设定培训目标 / only the province sets targets")
    plan = plan_figures()
    years = plan.target_years()
    if year not in years:
        raise _refuse("year_outside_plan", f"{year}年不在行动计划的目标年度内（{years[0]}—{years[-1]}年，第1a条）",
                      f"{year} is not a year the plan sets a target for ({years[0]}-{years[-1]}, clause 1a)")
    city = None
    if city_code not in (None, ""):
        city = City.objects.filter(code=str(city_code).strip()).first()
        if city is None:
            raise _refuse("city_unknown", f"城市代码不存在：{city_code}", f"no such city code: {city_code}")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= COUNT_MAX:
        raise _refuse("bad_count", f"目标人次须为1至{COUNT_MAX}之间的整数", f"the target must be a whole number "
                      f"from 1 to {COUNT_MAX}")
    document = (document or "").strip()
    if not document or len(document) > DOCUMENT_MAX:
        raise _refuse("document_missing", f"须填写设定目标的文件文号（不超过{DOCUMENT_MAX}字）",
                      f"give the number of the document that sets the target (at most {DOCUMENT_MAX} characters)")
    first = dt.date(years[0], 1, 1)
    if valid_from is None or not first <= valid_from <= dt.date(year, 12, 31):
        raise _refuse("bad_valid_from", f"生效日期须在{first}至{year}年12月31日之间",
                      f"the target takes effect from a day between {first} and 31 December {year}")
    if city is None:
        planned = plan.annual_target(year)
        if planned is not None and count < planned:
            raise _refuse("below_plan", f"全区目标不得低于行动计划的{year}年目标{planned}人次（第1a条）",
                          f"the province's target cannot be below the plan's {planned} for {year} (clause 1a)")
    with transaction.atomic():
        entries = list(Target.objects.select_for_update().filter(year=year))
        if any(entry.city_id == (city.code if city else None) and entry.valid_from == valid_from
               for entry in entries):
            raise _refuse("target_exists", f"该目标自{valid_from}起已有记录；调整请从以后的日期起另记一条",
                          f"a target from {valid_from} is already recorded; record a change from a later day")
        new = Target(year=year, city=city, count=count, document=document[:DOCUMENT_MAX], valid_from=valid_from,
                     set_by=actor)
        trial = [*entries, new]
        for day in sorted({valid_from} | {entry.valid_from for entry in entries if entry.valid_from > valid_from}):
            province, splits = _province_count(trial, year, day), _splits(trial, day)
            if province is not None and splits > province:
                raise _refuse("splits_exceed_province",
                              f"自{day}起各市分解目标合计{splits}人次，超过全区目标{province}人次",
                              f"from {day} the cities' targets add up to {splits}, more than the province's "
                              f"{province}")
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError as exc:
            raise _refuse("target_exists", f"该目标自{valid_from}起已有记录；调整请从以后的日期起另记一条",
                          f"a target from {valid_from} is already recorded; record a change from a later day") from exc
        record_event(actor, "target.set", new, after={
            "year": year, "city": city.code if city else None, "count": count, "document": new.document,
            "valid_from": valid_from.isoformat()}, reason="1a")
    return new


# ---------------------------------------------------------------- star ratings (1c)


@dataclass(frozen=True)
class RatingRun:
    period: dt.date
    rating_day: dt.date
    written: int
    kept: int


def rate_month(actor: Any, month: str | dt.date, progress: Any = None) -> RatingRun:
    """The one writer of star ratings: every institution with trainees in the month's window gets its snapshot
    (docs/star-rating.md), once: a month already rated keeps its snapshots (running again writes nothing), an
    institution new to the month is added. Each new snapshot is audited (`rating.computed`), and the newest
    snapshot's stars are copied onto `Institution.star_rating` / `star_rated_on`, which the profile and project
    pages show. `actor`: a province official, or None for the command."""
    if actor is not None and getattr(actor, "role", None) != Role.PROVINCE_OFFICIAL:
        raise PermissionDenied("只有自治区人社厅可以评定星级 / only the province rates institutions")
    period = rating.month_start(month)
    day, parameters, rated = rating.compute(period)
    if progress is not None:
        progress(len(rated))
    with transaction.atomic():
        existing = set(RatingSnapshot.objects.select_for_update().filter(period=period)
                       .values_list("institution_id", flat=True))
        now = timezone.now()
        new = [RatingSnapshot(
            institution_id=each.institution_id, city_id=each.city_id, period=period, rating_day=day,
            stars=each.result.stars, score=each.result.score, inputs=each.inputs,
            parameter_version=parameters.version, parameters=parameters.as_json(), computed_at=now,
            computed_by=actor) for each in rated if each.institution_id not in existing]
        RatingSnapshot.objects.bulk_create(new, batch_size=500)
        written = list(RatingSnapshot.objects.filter(period=period, institution_id__in=[s.institution_id for s in new]))
        record_events(actor, "rating.computed", RatingSnapshot, (
            (snap.pk, {"institution": snap.institution_id, "period": period.isoformat(), "stars": snap.stars,
                       "score": snap.score, "parameter_version": snap.parameter_version}) for snap in written))
        newest = [snap for snap in written if not RatingSnapshot.objects.filter(
            institution_id=snap.institution_id, period__gt=period).exists()]
        for snap in newest:
            Institution.objects.filter(pk=snap.institution_id).update(star_rating=snap.stars, star_rated_on=day)
    return RatingRun(period, day, len(new), len(existing))


def snapshot_in_force(institution_id: int, on: dt.date) -> RatingSnapshot | None:
    """The institution's snapshot in force on `on`: the latest month's whose rating day is on or before it."""
    return (RatingSnapshot.objects.filter(institution_id=institution_id, rating_day__lte=on)
            .order_by("-period").first())


def rating_in_force(institution_id: int, on: dt.date) -> RatingInForce | None:
    """`providers.ratings`' answer: the snapshot in force, by id, with its stars."""
    snapshot = snapshot_in_force(institution_id, on)
    if snapshot is None:
        return None
    return RatingInForce(snapshot.pk, snapshot.stars, snapshot.period, snapshot.rating_day)


def explain(snapshot: RatingSnapshot) -> rating.Result:
    """The formula run again over the snapshot's stored inputs and parameters (equals its score and stars)."""
    return rating.score_of(snapshot.inputs, rating.Parameters.from_json(snapshot.parameters))


def recompute(snapshot: RatingSnapshot) -> rating.Rated | None:
    """The institution's rating for the snapshot's month computed again from the records (equal while the
    window's records are unchanged)."""
    _day, _parameters, rated = rating.compute(snapshot.period)
    return next((each for each in rated if each.institution_id == snapshot.institution_id), None)
