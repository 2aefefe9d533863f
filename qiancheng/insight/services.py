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
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event, record_events
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City
from qiancheng.insight import rating
from qiancheng.insight.figures import counted_claims
from qiancheng.insight.models import RatingAppeal, RatingAppealStatus, RatingSnapshot, Target
from qiancheng.policy.params import plan_figures
from qiancheng.providers.models import Institution
from qiancheng.providers.ratings import RatingInForce

DOCUMENT_MAX = 255
COUNT_MAX = 10_000_000  # far above any province's year; keeps a typo (an extra zero or three) out
# A demo province is a small fraction of Guangxi: its targets are the plan's scaled to its size, and say so in
# their document (docs/statistics.md "The demo's target"). Only the synthetic data states such a target.
DEMO_DOCUMENT = "演示目标（按演示规模折算）"


def split_by_weights(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` split in proportion to `weights` by the largest remainder (the shares add up to `total` exactly;
    ties go to the lower code): how the demo splits the province's target among its cities. A weight of 0 gets 0."""
    whole = sum(weight for weight in weights.values() if weight > 0)
    if whole == 0:
        return {code: 0 for code in weights}
    exact = {code: Fraction(total * max(weight, 0), whole) for code, weight in weights.items()}
    shares = {code: int(value) for code, value in exact.items()}
    left = total - sum(shares.values())
    for code in sorted(exact, key=lambda code: (-(exact[code] - shares[code]), code))[:left]:
        shares[code] += 1
    return shares


def record_demo_city_targets(actor: Any, year: int, valid_from: dt.date) -> list[Target]:
    """Split the province's demo target of `year` in force on `valid_from` among the cities, in proportion to each
    city's trainings over the plan's years (the demo's own size, as the province's demo target is), each recorded
    through `set_target` with a document that says how. The splits add up to the province's target exactly.
    For the synthetic demo only (its province target is a demo target): nothing is recorded otherwise."""
    province = Target.objects.filter(year=year, city__isnull=True, valid_from__lte=valid_from).order_by(
        "-valid_from", "-pk").first()
    if province is None or not province.document.startswith(DEMO_DOCUMENT):
        return []
    years = plan_figures().target_years()
    counted = dict(counted_claims().filter(end_date__year__gte=years[0], end_date__year__lte=years[-1])
                   .values_list("city_id").annotate(trainings=models.Count("pk")).order_by())
    weights = {code: counted.get(code, 0) for code in City.objects.order_by("code").values_list("code", flat=True)}
    document = (f"{DEMO_DOCUMENT}分解：全区{province.count:,}人次按各市{years[0]}—{years[-1]}年培训人次占比"
                f"（共{sum(weights.values()):,}人次）分配")
    return [set_target(actor, year, code, count, document, valid_from)
            for code, count in split_by_weights(province.count, weights).items() if count > 0]


def scaled_plan_figure(planned: int, scale: Fraction) -> int:
    """The plan's figure at a demo's scale, rounded half up to whole trainings (at least 1)."""
    return max(1, int((Decimal(planned) * Decimal(scale.numerator) / Decimal(scale.denominator))
                      .quantize(Decimal(1), ROUND_HALF_UP)))


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
               valid_from: dt.date | None, *, demo_scale: Fraction | None = None) -> Target:
    """Record the target of `year` for a city (`city_code`) or the province (None), from `valid_from`.

    `demo_scale` (the synthetic demo only, never a page or the API): the province's floor is the plan's figure
    at that scale, and the document must state it is a demo target (DEMO_DOCUMENT)."""
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
    if demo_scale is not None and (not 0 < demo_scale <= 1 or not document.startswith(DEMO_DOCUMENT)):
        raise _refuse("bad_demo_scale", f"演示目标的折算比例须在0与1之间，文件须注明“{DEMO_DOCUMENT}”",
                      f"a demo target's scale is between 0 and 1 and its document says “{DEMO_DOCUMENT}”")
    if city is None:
        planned = plan.annual_target(year)
        if planned is not None and demo_scale is not None:
            planned = scaled_plan_figure(planned, demo_scale)
        if planned is not None and count < planned:
            raise _refuse("below_plan", f"全区目标不得低于行动计划的{year}年目标{planned}人次（第1a条）",
                          f"the province's target cannot be below the plan's {planned} for {year} (clause 1a)")
    with transaction.atomic():
        entries = list(Target.objects.select_for_update(of=("self",)).filter(year=year).order_by("pk"))
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
        existing = set(RatingSnapshot.objects.select_for_update(of=("self",)).filter(period=period).order_by()
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
    return RatingInForce(snapshot.pk, stars_in_force(snapshot), snapshot.period, snapshot.rating_day)


def explain(snapshot: RatingSnapshot) -> rating.Result:
    """The formula run again over the snapshot's stored inputs and parameters (equals its score and stars)."""
    return rating.score_of(snapshot.inputs, rating.Parameters.from_json(snapshot.parameters))


def recompute(snapshot: RatingSnapshot) -> rating.Rated | None:
    """The institution's rating for the snapshot's month computed again from the records (equal while the
    window's records are unchanged)."""
    _day, _parameters, rated = rating.compute(snapshot.period)
    return next((each for each in rated if each.institution_id == snapshot.institution_id), None)


# ---------------------------------------------------------------- appeals against a rating (1c)

APPEAL_TEXT_MAX = 2000
OFFICIALS = (Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL)


def file_rating_appeal(actor: Any, snapshot: RatingSnapshot, reason: str) -> RatingAppeal:
    """The institution appeals its rating of one month, once, with a reason (audited `rating.appealed`)."""
    if getattr(actor, "role", None) != Role.INSTITUTION or actor.institution_id != snapshot.institution_id:
        raise PermissionDenied("只有被评定的机构可以申诉 / only the rated institution may appeal its rating")
    reason = (reason or "").strip()
    if not reason or len(reason) > APPEAL_TEXT_MAX:
        raise _refuse("reason_missing", f"申诉须说明理由（不超过{APPEAL_TEXT_MAX}字）",
                      f"an appeal needs a reason (at most {APPEAL_TEXT_MAX} characters)")
    with transaction.atomic():
        RatingSnapshot.objects.select_for_update(of=("self",)).get(pk=snapshot.pk)
        if RatingAppeal.objects.filter(snapshot=snapshot).exists():
            raise _refuse("already_appealed", "该月星级已申诉过，每个评定期只能申诉一次",
                          "this month's rating was appealed already; one appeal per period")
        appeal = RatingAppeal.objects.create(snapshot=snapshot, institution_id=snapshot.institution_id,
                                             city_id=snapshot.city_id, reason=reason, filed_by=actor,
                                             filed_at=timezone.now())
        record_event(actor, "rating.appealed", appeal, after={"snapshot": snapshot.pk, "stars": snapshot.stars},
                     reason=reason)
    return appeal


def decide_rating_appeal(actor: Any, appeal: RatingAppeal, revised_stars: int | None, note: str) -> RatingAppeal:
    """An official of the institution's city (or the province) who did not compute the rating decides: the stars
    stay (`revised_stars` None) or are revised to 1-5, with a note (audited `rating.appeal_decided`). A revised
    rating is the one in force for that month (`rating_in_force`); the snapshot keeps the formula's stars."""
    if getattr(actor, "role", None) not in OFFICIALS or (
            actor.role == Role.CITY_OFFICIAL and actor.city_id != appeal.city_id):
        raise PermissionDenied("只有机构所在市或自治区的人社部门可以复核星级申诉 / only the institution's city or the "
                               "province decides a rating appeal")
    note = (note or "").strip()
    if not note or len(note) > APPEAL_TEXT_MAX:
        raise _refuse("note_missing", f"复核须写明理由（不超过{APPEAL_TEXT_MAX}字）",
                      f"a decision needs a note (at most {APPEAL_TEXT_MAX} characters)")
    if revised_stars is not None and (isinstance(revised_stars, bool) or revised_stars not in range(1, 6)):
        raise _refuse("bad_stars", "改定星级须为1至5", "revised stars are 1 to 5")
    with transaction.atomic():
        current = RatingAppeal.objects.select_for_update(of=("self",)).select_related("snapshot").get(pk=appeal.pk)
        if current.status != RatingAppealStatus.PENDING:
            raise _refuse("already_decided", "该申诉已复核", "this appeal is already decided")
        if current.snapshot.computed_by_id is not None and current.snapshot.computed_by_id == actor.pk:
            raise _refuse("same_official", "评定该星级的人员不能复核其申诉",
                          "the official who computed the rating cannot decide its appeal")
        current.status = RatingAppealStatus.REVISED if revised_stars is not None else RatingAppealStatus.UPHELD
        current.revised_stars = revised_stars
        current.decided_by, current.decided_at, current.decision_note = actor, timezone.now(), note
        current.save(update_fields=["status", "revised_stars", "decided_by", "decided_at", "decision_note"])
        record_event(actor, "rating.appeal_decided", current, before={"status": RatingAppealStatus.PENDING},
                     after={"status": current.status, "stars": current.snapshot.stars,
                            "revised_stars": revised_stars}, reason=note)
        snapshot = current.snapshot
        if revised_stars is not None and not RatingSnapshot.objects.filter(
                institution_id=snapshot.institution_id, period__gt=snapshot.period).exists():
            Institution.objects.filter(pk=snapshot.institution_id).update(star_rating=revised_stars)
    return current


def stars_in_force(snapshot: RatingSnapshot) -> int:
    """The snapshot's stars, or those a decided appeal revised them to."""
    appeal = RatingAppeal.objects.filter(snapshot=snapshot, status=RatingAppealStatus.REVISED).first()
    return appeal.revised_stars if appeal is not None and appeal.revised_stars else snapshot.stars


def pending_rating_appeals(user: Any) -> Any:
    """The appeals waiting for a decision in the user's scope (the officials' queue)."""
    from qiancheng.accounts.scope import scoped

    return scoped(RatingAppeal.objects.filter(status=RatingAppealStatus.PENDING), user)
