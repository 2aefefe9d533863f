"""Deciding claims kept in the database, with the same engine as `qiancheng check` (funding owns stored claims;
the engine in `qiancheng.policy` reads frames and parameters and never the database).

The claim and history frames are built from the tables named in `funding/models/columns.py`, so the
database and an exchange file describe a claim with the same columns. The sealed ID numbers of the
persons concerned are opened in memory only (the engine checks GB 11643 on the number itself), and that
batch read is one audit entry. Decisions are written back on the claims with the parameter set and rule
version that produced them, so a decision can be reproduced years later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from qiancheng.accounts.audit import record_event
from qiancheng.clock import today
from qiancheng.evaluation.models import Certificate
from qiancheng.funding.claim_changes import claims_changed
from qiancheng.funding.models import CityAiUplift, SubsidyClaim, columns
from qiancheng.people import crypto, links
from qiancheng.people.models import Person, SkillUpgradeSubsidy
from qiancheng.people.services import ID_NUMBER
from qiancheng.policy.batch import check_not_in_history
from qiancheng.policy.direct import claims_frame as claims_frame_of
from qiancheng.policy.direct import history_frame as history_frame_of
from qiancheng.policy.engine import DecisionRun, decide
from qiancheng.policy.params import ParamSet, packaged_params
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.services.history import WHOLE_TABLES_FROM


def stored_claim_records(claims: QuerySet) -> list[dict[str, Any]]:
    return _records(claims, columns.CLAIM_COLUMNS)


def stored_history_records(person_keys: set[str] | None, institution_usccs: set[str] | None,
                           excluding: Iterable[str] = (),
                           found: dict[str, frozenset[str]] | None = None) -> list[dict[str, Any]]:
    """The history of these persons (None: of everyone), as EXCHANGE.md history rows.

    A person confirmed to be one with another (people.links) brings that one's history too, every row under the
    key asked about (`held_under` keeps the key it is held under), so 3.5 counts across both ID numbers.
    `found`: `links.clusters(person_keys)` when the caller has read it already."""
    found = links.clusters(person_keys) if found is None else found
    subject = links.decided_as(person_keys, found)
    person_keys = links.with_linked(person_keys, found)

    def of_persons(queryset: QuerySet) -> QuerySet:
        return queryset if person_keys is None else queryset.filter(person_id__in=person_keys)

    earlier = of_persons(SubsidyClaim.objects.exclude(status__in=columns.HISTORY_CLAIM_EXCLUDED_STATUSES)
                         .exclude(number__in=list(excluding)))
    listed = BlacklistEntry.objects.all()
    if person_keys is not None:
        listed = listed.filter(Q(person_id__in=person_keys) | Q(institution__uscc__in=institution_usccs or set()))
    rows = [
        {**row, "status": columns.HISTORY_STATUS[row["status"]]}
        for row in _records(earlier, columns.HISTORY_CLAIM_COLUMNS, record_type="claim")
    ]
    rows += _records(of_persons(Certificate.objects.filter(**columns.HISTORY_CERTIFICATE_FILTER)),
                     columns.HISTORY_CERTIFICATE_COLUMNS, record_type="certificate")
    rows += _records(of_persons(SkillUpgradeSubsidy.objects.all()), columns.HISTORY_SKILL_UPGRADE_COLUMNS,
                     record_type="skill_upgrade")
    rows += _records(listed, columns.HISTORY_BLACKLIST_COLUMNS, record_type="blacklist")
    for row in rows:
        # Claim numbers are unique among claims; other records get their type as a prefix so that a
        # certificate number can never collide with a claim number in one history (EXCHANGE.md (b)).
        kind = row["record_type"]
        row["record_id"] = str(row["record_id"]) if kind == "claim" else f"{kind}:{row['record_id']}"
    return links.as_one_person(rows, subject)


def _records(queryset: QuerySet[Model], columns: dict[str, str], **constant: str) -> list[dict[str, Any]]:
    """Rows as an exchange file spells them: dates as text, empty text as "not given"."""
    names = list(columns)
    return [
        {**constant, **{name: _exchange_value(value) for name, value in zip(names, row, strict=True)}}
        for row in queryset.values_list(*columns.values())
    ]


def _exchange_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if value == "":
        return None
    return str(value) if isinstance(value, Decimal) else value


def open_id_numbers(actor: Any, records: list[dict[str, Any]], purpose_note: str) -> list[dict[str, Any]]:
    """Replace each person_key by the clear ID number, in memory only; the read is audited once."""
    keys = {record["id_number"] for record in records if record.get("id_number")}
    sealed = dict(Person.objects.filter(person_key__in=keys).values_list("person_key", "id_number_enc"))
    clear = {key: crypto.decrypt(token, purpose=ID_NUMBER) for key, token in sealed.items()}
    if clear:
        record_event(actor, "person.id_numbers_read_for_decision", after={"persons": len(clear)},
                     reason=purpose_note)
    return [{**record, "id_number": clear.get(record["id_number"], record.get("id_number"))} for record in records]


def stored_frames(actor: Any, claims: QuerySet) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Claims and their history from the database, as the engine's typed frames."""
    claims_frame, history_frame, _held = stored_frames_held(actor, claims)
    return claims_frame, history_frame


def stored_frames_held(actor: Any, claims: QuerySet) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str]]:
    """`stored_frames`, and for each history record read under another ID number of the same person
    (people.links), the person key it is held under (by record ID), for the explanation to name it."""
    claim_rows = stored_claim_records(claims)
    whole = len(claim_rows) > WHOLE_TABLES_FROM
    persons = None if whole else {row["id_number"] for row in claim_rows}
    institutions = None if whole else {row["institution_id"] for row in claim_rows if row.get("institution_id")}
    found = links.clusters(persons)  # the confirmed links touching these persons, read once
    history_rows = stored_history_records(persons, institutions, excluding=[row["claim_id"] for row in claim_rows],
                                          found=found)
    # Two claims of one confirmed person in one run are that person's, as their histories are.
    claim_rows = links.as_one_person(claim_rows, links.decided_as(persons, found))
    held = {row["record_id"]: row[links.HELD_UNDER] for row in history_rows if links.HELD_UNDER in row}
    opened = open_id_numbers(actor, claim_rows + history_rows, "decision engine: GB 11643 check and matching")
    # A few records (a claim filed or approved) are typed directly; a batch, or anything the format refuses,
    # goes through the exchange validation (policy.direct: the same frame or the same error).
    claims_frame = claims_frame_of(opened[: len(claim_rows)], "claims")
    history_frame = history_frame_of(opened[len(claim_rows):], "history")
    check_not_in_history(claims_frame, history_frame, "claims")
    return claims_frame, history_frame, held


def decide_stored_claims(actor: Any, claims: QuerySet, *, params: ParamSet | None = None,
                         as_of: dt.date | None = None) -> DecisionRun:
    """Decide these claims against everything the database knows, and record each decision on its claim.

    Called when a claim is filed and again at approval (the history may have changed since).
    """
    param_set = params or packaged_params()
    as_of = as_of or param_set.as_of or today()
    groups = uplift_groups(param_set, claims)
    if len(groups) > 1:
        # 4.2: two claims of one city on either side of a change of its uplift need two parameter sets.
        with transaction.atomic():
            runs = [decide_stored_claims(actor, claims.filter(number__in=numbers), params=group, as_of=as_of)
                    for group, numbers in groups]
        return runs[-1]
    param_set = groups[0][0]
    with transaction.atomic():
        claims_frame, history_frame = stored_frames(actor, claims)
        run = decide(claims_frame, history_frame, param_set, as_of)
        now = timezone.now()
        by_number = {row["claim_id"]: row for row in run.decisions.iter_rows(named=True)}
        stored = list(SubsidyClaim.objects.select_for_update().filter(number__in=list(by_number)))
        for claim in stored:
            row = by_number[claim.number]
            claim.eligible = row["eligible"]
            claim.training_amount = Decimal(row["training_amount"])
            claim.employment_amount = Decimal(row["employment_amount"])
            claim.total_amount = Decimal(row["total_amount"])
            claim.denied_by = row["denied_by"] or ""
            claim.decided_at = now
            claim.param_set_id = run.params_id
            claim.rule_version = run.rule_version
        SubsidyClaim.objects.bulk_update(stored, ["eligible", "training_amount", "employment_amount", "total_amount",
                                                  "denied_by", "decided_at", "param_set_id", "rule_version"],
                                         batch_size=2_000)
        # A decision may make a claim count or stop counting: the programme's figures are refreshed once it commits.
        claims_changed({claim.end_date.year for claim in stored})
        record_event(actor, "claims.decided", after={
            "claims": len(stored), "eligible": sum(1 for c in stored if c.eligible), "params_id": run.params_id,
            "rule_version": run.rule_version, "as_of": as_of.isoformat(),
        })
    return run


# ---------------------------------------------------------------- each city's AI uplift (4.2)

def stored_uplift(city_code: str, on: dt.date) -> Decimal | None:
    """The uplift the province recorded for this city in force on `on` (None: no entry yet)."""
    found = (CityAiUplift.objects.filter(city_id=city_code[:4] + "00", valid_from__lte=on)
             .order_by("-valid_from").values_list("uplift", flat=True).first())
    return None if found is None else Decimal(found)


def with_stored_uplift(params: ParamSet, city_code: str | None, on: dt.date) -> ParamSet:
    """`params` with this city's recorded uplift in force on `on` in place of the packaged one."""
    value = stored_uplift(city_code, on) if city_code else None
    if value is None:
        return params
    return replace(params, ai_uplift={**params.ai_uplift, city_code[:4] + "00": value})


def uplift_groups(params: ParamSet, claims: QuerySet) -> list[tuple[ParamSet, list[str]]]:
    """The claims split by the uplifts in force on their end dates: one group (and one engine run) unless
    a city's uplift changed between two of the claims' end dates. The recorded uplift of a city replaces
    the packaged file's (which holds none until a city notifies one)."""
    entries: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for city_code, valid_from, value in CityAiUplift.objects.order_by("city_id", "valid_from").values_list(
            "city_id", "valid_from", "uplift"):
        entries.setdefault(city_code, []).append((valid_from, Decimal(value)))
    if not entries:
        return [(params, [])]
    groups: list[tuple[dict[str, Decimal], list[str]]] = []
    for number, city_code, end_date in claims.values_list("number", "city_id", "end_date"):
        city = (city_code or "")[:4] + "00"
        # The latest entry of the city that applies on the end date; none: the packaged value.
        in_force = [value for valid_from, value in entries.get(city, []) if end_date and valid_from <= end_date]
        value = in_force[-1] if in_force else params.uplift_for(city)
        for uplifts, numbers in groups:
            if uplifts.get(city, value) == value:
                uplifts[city] = value
                numbers.append(number)
                break
        else:
            groups.append(({city: value}, [number]))
    if not groups:
        return [(params, [])]
    return [(replace(params, ai_uplift={**params.ai_uplift, **{city: value for city, value in uplifts.items()
                                                                 if city != "00"}}), numbers)
            for uplifts, numbers in groups]
