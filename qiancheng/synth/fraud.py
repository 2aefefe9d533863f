"""Planted fraud in a loaded synthetic province, with the truth kept aside (issue 12 item 4, 6d/6c).

`plant_fraud(seed, truth_path)` runs on a database that holds the synthetic province (`synth.load`) and
writes, in one transaction:

1. **The registry facts the generator does not make**, for every record, honestly: each institution and
   enterprise a legal representative (names drawn like the trainees', so two in one city may share one),
   a landline phone and an address; each person a bank account, one household in a hundred sharing one
   between two people. These are the background the signals must stay quiet on.
2. **Each kind of fraud**, a few incidents each, on records not used by another incident:

   | signal | what is planted |
   |---|---|
   | linkage | a person registered again under a mistyped ID number (one sequence digit, check character re-computed); one such twin also holds three earlier trainings, so the person's fourth is denied by 3.5b once the two are merged |
   | trainee_overlap | a trainee enrolled again in an overlapping class of another institution |
   | shared_phone | three trainees of different names at two institutions given one phone |
   | shared_bank_account | four trainees of one class given one bank account |
   | copied_attendance | one class's attendance copied to every trainee (an absence and odd hours) |
   | linked_employer | every employment proof of a class naming one employer that shares the institution's legal representative, phone or address |
   | teacher_overlap | a teacher put on the team of another institution and on its overlapping class |
   | outlier_rate | an institution whose evaluated trainees all pass and whose claims all carry employment proofs |
   | collusion_ring | an institution, two enterprises and four trainees chained by a legal representative, phones and bank accounts |

   Near misses are planted beside them: two trainees sharing an account, a class whose proofs all name
   one employer with no tie to the institution (订单式培训), honest attendance with its own absences.

The truth — per signal, each incident as the records that identify it ("model:pk") — is written as JSON
to `truth_path` (bench/risk_run.py scores the signals against it), and `fourth_training` names the pair
whose merge decides a claim differently: the person, the twin, the pending claim and the twin's three
earlier claims. Same seed, same database: same plants.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from django.db import connection, transaction
from django.db.models import Count

from qiancheng.accounts.audit import record_event
from qiancheng.catalog.models import County
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.demand.models import Enterprise
from qiancheng.evaluation.models import Evaluation
from qiancheng.funding.models import ClaimOrigin, ClaimStatus, FundSource, SubsidyClaim
from qiancheng.funding.services.stored_explain import explain_stored_claim
from qiancheng.people import crypto
from qiancheng.people.identity import id_number_check_character
from qiancheng.people.masking import mask_bank_account, mask_id_number, mask_phone
from qiancheng.people.models import Person
from qiancheng.policy.exchange import ExchangeError
from qiancheng.policy.params import ParameterError
from qiancheng.providers.models import Institution, Teacher
from qiancheng.synth.load import system_user
from qiancheng.training.models import AttendanceRecord, Enrolment, EnrolmentStatus, TrainingClass

INCIDENTS = 20  # of each kind, fewer where the province is too small to hold them
OUTLIER_INCIDENTS = 5
RING_INCIDENTS = 5
HOUSEHOLD_SHARE = 0.01  # persons who share a bank account with one other person (a couple): honest
HONEST_ATTENDANCE_CLASSES = 150
SESSIONS = 10  # attendance days written per class
SURNAMES = "李黄韦陆覃莫梁蓝罗蒙农廖王张刘陈杨周吴赵"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰"
# The twin's earlier trainings (imported from the programmes of 2019-2024): entrepreneurship courses, which 3.5c
# never compares and which earn no skill-level certificate (3.5d), in years before the programme's (3.5a):
# merged with the person, they leave 3.5b alone to deny the fourth.
TWIN_HISTORY = (("GYB", dt.date(2019, 6, 14)), ("SYB", dt.date(2021, 9, 10)), ("online_live", dt.date(2023, 4, 21)))
# 南宁 first: the demo's officials (synth.logins) and the browser test's work there.
TWIN_HISTORY_CITY = "450100"
STREETS = ("民族大道", "友爱路", "东葛路", "桂春路", "解放路", "中山路", "北京路", "青秀路", "园湖路", "五一路")


@dataclass
class Truth:
    """Per signal, each planted incident as the set of records that identify it."""

    incidents: dict[str, list[list[str]]] = field(default_factory=lambda: defaultdict(list))
    near_misses: dict[str, list[list[str]]] = field(default_factory=lambda: defaultdict(list))
    # Every record a plant changed, so a finding of one rule on another rule's plant can be told apart
    # from a finding on honest records (a class hired by a linked employer lifts its institution's rate).
    touched: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Planted linkage pairs whose merge changes a decision (3.5b): who, and which claim.
    fourth_training: list[dict[str, Any]] = field(default_factory=list)

    def add(self, signal: str, refs: Iterable[str], *, near_miss: bool = False, touched: Iterable[str] = ()) -> None:
        refs = sorted(set(refs))
        (self.near_misses if near_miss else self.incidents)[signal].append(refs)
        self.touched[signal].update(refs, touched)  # a near miss changes records too

    def as_json(self, seed: int) -> dict[str, Any]:
        return {"seed": seed, "incidents": dict(self.incidents), "near_misses": dict(self.near_misses),
                "touched": {signal: sorted(refs) for signal, refs in self.touched.items()},
                "fourth_training": self.fourth_training}


def ref_of(model: str, pk: Any) -> str:
    return f"{model}:{pk}"


class _Planter:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(np.random.SeedSequence([seed, 12]))
        self.used_persons: set[str] = set()
        self.used_classes: set[int] = set()
        self.used_institutions: set[int] = set()
        self.used_enterprises: set[int] = set()
        self.truth = Truth()
        self.serial = 0
        self.actor = system_user()

    # --- reading ---------------------------------------------------------------------------------

    def frames(self) -> None:
        self.classes = pl.DataFrame(list(TrainingClass.objects.values_list(
            "pk", "institution_id", "city_id", "start_date", "end_date", "venue")),
            schema={"class_id": pl.Int64, "institution_id": pl.Int64, "city_id": pl.String, "start": pl.Date,
                    "end": pl.Date, "venue": pl.String}, orient="row")
        self.enrolments = pl.DataFrame(list(Enrolment.objects.exclude(status=EnrolmentStatus.WITHDRAWN).values_list(
            "pk", "person_id", "training_class_id", "status", "person__name").iterator(chunk_size=20000)),
            schema={"enrolment_id": pl.Int64, "person_key": pl.String, "class_id": pl.Int64, "status": pl.String,
                    "name": pl.String}, orient="row").join(self.classes, on="class_id")
        self.enterprises = pl.DataFrame(list(Enterprise.objects.values_list("pk", "uscc", "city_id")),
                                        schema={"enterprise_id": pl.Int64, "uscc": pl.String, "city_id": pl.String},
                                        orient="row")
        # A person on one live enrolment only: planting on them cannot meet another plant or a natural overlap.
        once = self.enrolments.group_by("person_key").agg(pl.len().alias("n")).filter(pl.col("n") == 1)
        self.single = self.enrolments.join(once.select("person_key"), on="person_key")

    def pick(self, frame: pl.DataFrame, count: int) -> pl.DataFrame:
        if frame.is_empty():
            return frame
        # Joins and group-bys leave rows in any order: sorted first, the same seed picks the same rows.
        frame = frame.sort([name for name, dtype in frame.schema.items() if not isinstance(dtype, pl.List)])
        order = self.rng.permutation(frame.height)[: count]
        return frame[order.tolist()]

    def fresh_persons(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(~pl.col("person_key").is_in(list(self.used_persons)))

    def fresh_classes(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(~pl.col("class_id").is_in(list(self.used_classes))
                            & ~pl.col("institution_id").is_in(list(self.used_institutions)))

    def name(self) -> str:
        size = 1 + int(self.rng.random() < 0.6)
        return SURNAMES[self.rng.integers(len(SURNAMES))] + "".join(
            GIVEN[i] for i in self.rng.integers(0, len(GIVEN), size))

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def landline(self) -> str:
        return f"0771-{5_000_000 + self.next_serial():07d}"

    def mobile(self) -> str:
        return f"199{70_000_000 + self.next_serial():08d}"

    def account(self) -> str:
        return f"6217{self.next_serial():015d}"

    def address(self, city_id: str) -> str:
        street = STREETS[self.rng.integers(len(STREETS))]
        return f"{city_id}{street}{self.next_serial()}号"

    # --- background ------------------------------------------------------------------------------

    def background(self) -> None:
        for model in (Institution, Enterprise):
            rows = list(model.objects.only("pk", "city_id"))
            for row in rows:
                row.legal_representative = self.name()
                row.phone = self.landline()
                row.address = self.address(row.city_id)
            model.objects.bulk_update(rows, ["legal_representative", "phone", "address"], batch_size=2000)
        keys = list(Person.objects.values_list("person_key", flat=True).order_by("person_key"))
        accounts = [self.account() for _ in keys]
        for i in np.flatnonzero(self.rng.random(len(keys)) < HOUSEHOLD_SHARE / 2):
            if i + 1 < len(keys):
                accounts[i + 1] = accounts[i]  # a couple paid into one account
        self.set_bank_accounts(dict(zip(keys, accounts, strict=True)))

    def set_bank_accounts(self, accounts: dict[str, str]) -> None:
        rows = [(crypto.encrypt(clear, purpose=crypto.BANK_ACCOUNT), mask_bank_account(clear), key)
                for key, clear in accounts.items()]
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {Person._meta.db_table} SET bank_account_enc = %s, "
                               f"bank_account_masked = %s WHERE person_key = %s", rows)

    def set_phone(self, keys: Iterable[str], clear: str) -> None:
        Person.objects.filter(person_key__in=list(keys)).update(
            phone_enc=crypto.encrypt(clear, purpose=crypto.PHONE), phone_masked=mask_phone(clear))

    # --- plants ----------------------------------------------------------------------------------

    def _twin(self, person: Person) -> Person | None:
        """`person` registered again under an ID number with one sequence digit mistyped; None where that
        number is already someone's."""
        number = crypto.decrypt(person.id_number_enc, purpose=crypto.ID_NUMBER)
        digit = int(number[15])  # the second sequence digit: the sex digit (17th) and birth date stay
        body = number[:15] + str((digit + 1 + int(self.rng.integers(0, 9))) % 10) + number[16]
        mistyped = body + id_number_check_character(body)
        twin_key = crypto.person_key(mistyped)
        if Person.objects.filter(pk=twin_key).exists():
            return None
        twin = Person(person_key=twin_key, id_number_enc=crypto.encrypt(mistyped, purpose=crypto.ID_NUMBER),
                      id_number_masked=mask_id_number(mistyped), name=person.name, sex=person.sex,
                      birth_date=person.birth_date, county_code=person.county_code, phone_enc=person.phone_enc,
                      phone_masked=person.phone_masked, category=person.category)
        twin.save(force_insert=True)
        return twin

    def duplicates(self, count: int) -> None:
        """The same person again under an ID number with one sequence digit mistyped."""
        chosen = self.pick(self.fresh_persons(self.single), count)
        for key in chosen["person_key"].to_list():
            twin = self._twin(Person.objects.get(pk=key))
            if twin is None:
                continue
            self.used_persons.update({key, twin.pk})
            self.truth.add("linkage", [ref_of("people.person", key), ref_of("people.person", twin.pk)])

    def duplicate_with_history(self) -> None:
        """One more twin, who holds three earlier trainings (imported from the programmes of 2019-2024 under
        the mistyped number), while the person's only claim, pending, is their fourth: the engine grants it
        while the two are two persons and denies it by 3.5b (three in all) once an official confirms them as
        one (risk.services.decide_candidate); undoing the merge grants it again.

        The person is fresh, on one live enrolment, and its claim is made in the city of the ID number's county,
        so the pair's candidate and the claim are decided by one city (南宁 first); and the engine grants the
        claim today (explain_stored_claim: a claim another rule denies could not show the merge). Planted after
        every other kind, so the plants a seed made before are unchanged."""
        city_of = dict(County.objects.values_list("code", "city_id"))
        alone = (SubsidyClaim.objects.values("person_id").annotate(claims=Count("pk")).filter(claims=1)
                 .values("person_id"))
        pending = pl.DataFrame(list(SubsidyClaim.objects.filter(
            origin=ClaimOrigin.SYSTEM, status=ClaimStatus.PENDING, decided_at__isnull=True, person_id__in=alone)
            .values_list("pk", "person_id", "city_id", "person__county_code")),
            schema={"claim_id": pl.Int64, "person_key": pl.String, "city_id": pl.String, "county": pl.String},
            orient="row")
        fresh = set(self.fresh_persons(self.single)["person_key"].to_list())
        pending = pending.filter(pl.col("person_key").is_in(list(fresh))
                                 & (pl.col("county").replace_strict(city_of, default=None) == pl.col("city_id")))
        chosen = self.pick(pending, pending.height)
        chosen = pl.concat([chosen.filter(pl.col("city_id") == TWIN_HISTORY_CITY),
                            chosen.filter(pl.col("city_id") != TWIN_HISTORY_CITY)])
        for row in chosen.iter_rows(named=True):
            claim = SubsidyClaim.objects.get(pk=row["claim_id"])
            try:
                granted = explain_stored_claim(self.actor, claim).eligible
            except (ExchangeError, ParameterError):
                granted = False
            if not granted:
                continue
            twin = self._twin(claim.person)
            if twin is None:
                continue
            earlier = SubsidyClaim.objects.bulk_create([
                SubsidyClaim(number=f"HT{self.next_serial():08d}", origin=ClaimOrigin.IMPORTED, person=twin,
                             training_type=TrainingType.ENTREPRENEURSHIP, course_kind_id=kind, end_date=ended,
                             fund=FundSource.EMPLOYMENT_SUBSIDY, status=ClaimStatus.PAID)
                for kind, ended in TWIN_HISTORY])
            history = [ref_of("funding.subsidyclaim", each.pk) for each in earlier]
            self.used_persons.update({claim.person_id, twin.pk})
            self.truth.add("linkage", [ref_of("people.person", claim.person_id), ref_of("people.person", twin.pk)],
                           touched=[*history, ref_of("funding.subsidyclaim", claim.pk)])
            self.truth.fourth_training.append({
                "person": ref_of("people.person", claim.person_id), "twin": ref_of("people.person", twin.pk),
                "claim": claim.number, "city": claim.city_id, "history": history})
            return

    def _clone(self, enrolment_id: int, class_id: int) -> Enrolment:
        original = Enrolment.objects.get(pk=enrolment_id)
        clone = Enrolment.objects.get(pk=enrolment_id)
        clone.pk, clone.training_class_id = None, class_id
        clone.status, clone.left_on = EnrolmentStatus.ENROLLED, None
        clone.save(force_insert=True)
        record_event(self.actor, "enrolment.created", clone, after={"class": class_id, "planted": "trainee_overlap",
                                                                   "person": original.person.id_number_masked})
        return clone

    def overlapping(self, row: dict[str, Any], other_institution: bool = True) -> pl.DataFrame:
        frame = self.classes.filter((pl.col("start") <= row["end"]) & (pl.col("end") >= row["start"])
                                    & (pl.col("class_id") != row["class_id"]))
        if other_institution:
            frame = frame.filter(pl.col("institution_id") != row["institution_id"])
        return frame

    def trainee_overlaps(self, count: int) -> None:
        for row in self.pick(self.fresh_persons(self.single), count).iter_rows(named=True):
            other = self.pick(self.overlapping(row), 1)
            if other.is_empty():
                continue
            clone = self._clone(row["enrolment_id"], other["class_id"][0])
            self.used_persons.add(row["person_key"])
            self.truth.add("trainee_overlap", [ref_of("people.person", row["person_key"])],
                           touched=[ref_of("training.enrolment", clone.pk)])

    def shared_phones(self, count: int) -> None:
        pool = self.fresh_persons(self.single)
        for _ in range(count):
            first = self.pick(pool, 1)
            if first.is_empty():
                return
            institution = first["institution_id"][0]
            here = self.pick(pool.filter((pl.col("institution_id") == institution)
                                         & (pl.col("name") != first["name"][0])), 1)
            there = self.pick(pool.filter((pl.col("institution_id") != institution)
                                          & ~pl.col("name").is_in([first["name"][0], *here["name"].to_list()])), 1)
            group = pl.concat([first, here, there])
            if group.height < 3:
                continue
            keys = group["person_key"].to_list()
            self.set_phone(keys, self.mobile())
            self.used_persons.update(keys)
            pool = self.fresh_persons(pool)
            self.truth.add("shared_phone", [ref_of("people.person", key) for key in keys])

    def _classes_with(self, least: int, frame: pl.DataFrame | None = None) -> pl.DataFrame:
        frame = self.single if frame is None else frame
        sizes = frame.group_by("class_id").agg(pl.len().alias("n")).filter(pl.col("n") >= least)
        return self.fresh_classes(self.classes.join(sizes, on="class_id"))

    def shared_banks(self, count: int) -> None:
        for row in self.pick(self._classes_with(4), count).iter_rows(named=True):
            members = self.pick(self.fresh_persons(self.single.filter(pl.col("class_id") == row["class_id"])), 4)
            keys = members["person_key"].to_list()
            if len(keys) < 4:
                continue
            account = self.account()
            self.set_bank_accounts(dict.fromkeys(keys, account))
            self.used_persons.update(keys)
            self.used_classes.add(row["class_id"])
            self.truth.add("shared_bank_account", [ref_of("people.person", key) for key in keys])
        # near miss: two trainees of one class, one account (a couple)
        for row in self.pick(self._classes_with(2), count).iter_rows(named=True):
            keys = self.pick(self.fresh_persons(self.single.filter(pl.col("class_id") == row["class_id"])), 2)[
                "person_key"].to_list()
            if len(keys) == 2:
                self.set_bank_accounts(dict.fromkeys(keys, self.account()))
                self.used_persons.update(keys)
                self.truth.add("shared_bank_account", [ref_of("people.person", key) for key in keys], near_miss=True)

    def attendance(self, count: int) -> None:
        finished = self.enrolments.filter(pl.col("status") == EnrolmentStatus.COMPLETED)
        days = (pl.col("end") - pl.col("start")).dt.total_days()
        classes = self._classes_with(5, finished).filter(days >= SESSIONS)
        planted = self.pick(classes, count)
        honest = self.pick(classes.filter(~pl.col("class_id").is_in(planted["class_id"].implode())),
                           HONEST_ATTENDANCE_CLASSES)
        records = []
        for row in planted.iter_rows(named=True):
            pattern = [(bool(self.rng.random() > 0.15), Decimal(str(float(self.rng.choice([6.5, 7, 7.5, 8])))))
                       for _ in range(SESSIONS)]
            pattern[int(self.rng.integers(SESSIONS))] = (False, Decimal(0))
            pattern = [(present, hours if present else Decimal(0)) for present, hours in pattern]
            for enrolment in finished.filter(pl.col("class_id") == row["class_id"]).iter_rows(named=True):
                records += self._sessions(enrolment, row["start"], pattern)
            self.used_classes.add(row["class_id"])
            self.truth.add("copied_attendance", [ref_of("training.trainingclass", row["class_id"])])
        for row in honest.iter_rows(named=True):
            for enrolment in finished.filter(pl.col("class_id") == row["class_id"]).iter_rows(named=True):
                pattern = [(bool(self.rng.random() > 0.08), Decimal(8)) for _ in range(SESSIONS)]
                records += self._sessions(enrolment, row["start"],
                                          [(present, hours if present else Decimal(0)) for present, hours in pattern])
        AttendanceRecord.objects.bulk_create(records, batch_size=5000)

    @staticmethod
    def _sessions(enrolment: dict[str, Any], start: dt.date, pattern: list[tuple[bool, Decimal]]) -> list:
        return [AttendanceRecord(enrolment_id=enrolment["enrolment_id"], person_id=enrolment["person_key"],
                                 session_date=start + dt.timedelta(days=i), present=present, hours=hours)
                for i, (present, hours) in enumerate(pattern)]

    def _claims_frame(self) -> pl.DataFrame:
        return pl.DataFrame(list(SubsidyClaim.objects.filter(origin=ClaimOrigin.SYSTEM, enrolment__isnull=False)
                                 .values_list("pk", "enrolment__training_class_id", "end_date")
                                 .iterator(chunk_size=20000)),
                            schema={"claim_id": pl.Int64, "class_id": pl.Int64, "end": pl.Date}, orient="row")

    def _employ(self, claim_ids: list[int], uscc: str | list[str], end: dt.date | None = None) -> None:
        claims = list(SubsidyClaim.objects.filter(pk__in=claim_ids).only("pk", "end_date", "employment_proof_date"))
        for i, claim in enumerate(claims):
            claim.employer_uscc = uscc if isinstance(uscc, str) else uscc[i % len(uscc)]
            if claim.employment_proof_date is None:
                claim.employment_proof_kind = "labour_contract"
                claim.employment_proof_date = claim.end_date + dt.timedelta(days=100)
        SubsidyClaim.objects.bulk_update(claims, ["employer_uscc", "employment_proof_kind", "employment_proof_date"],
                                         batch_size=2000)

    def employers(self, count: int) -> None:
        """Background: every proof names an employer of its class's city; then the linked-employer plants."""
        enterprises = self.enterprises
        by_city = {city: frame["uscc"].to_list() for (city,), frame in enterprises.group_by(["city_id"])}
        proofs = list(SubsidyClaim.objects.filter(employment_proof_date__isnull=False).only("pk", "city_id"))
        everyone = enterprises["uscc"].to_list()
        for claim in proofs:
            pool = by_city.get(claim.city_id) or everyone
            claim.employer_uscc = pool[int(self.rng.integers(len(pool)))]
        SubsidyClaim.objects.bulk_update(proofs, ["employer_uscc"], batch_size=2000)
        claims = self._claims_frame()
        sizes = claims.group_by("class_id").agg(pl.col("claim_id"), pl.len().alias("n")).filter(pl.col("n") >= 6)
        candidates = self.fresh_classes(self.classes.join(sizes, on="class_id"))
        chosen = self.pick(candidates, 2 * count)
        ties = ("legal_representative", "phone", "address")
        for i, row in enumerate(chosen.iter_rows(named=True)):
            employer = self.pick(enterprises.filter(
                (pl.col("city_id") == row["city_id"]) & ~pl.col("enterprise_id").is_in(list(self.used_enterprises))), 1)
            if employer.is_empty():
                continue
            enterprise = Enterprise.objects.get(pk=employer["enterprise_id"][0])
            near_miss = i >= count
            if not near_miss:
                tie = ties[i % len(ties)]
                institution = Institution.objects.get(pk=row["institution_id"])
                setattr(enterprise, tie, getattr(institution, tie))
                enterprise.save(update_fields=[tie])
                self.used_institutions.add(row["institution_id"])
            self._employ(row["claim_id"], enterprise.uscc)
            self.used_classes.add(row["class_id"])
            self.used_enterprises.add(enterprise.pk)
            self.truth.add("linked_employer", [ref_of("training.trainingclass", row["class_id"])], near_miss=near_miss,
                           touched=[ref_of("providers.institution", row["institution_id"]),
                                    ref_of("demand.enterprise", enterprise.pk)])

    def teachers(self, count: int) -> None:
        through = TrainingClass.teachers.through
        taught = pl.DataFrame(list(through.objects.values_list("teacher_id", "trainingclass_id")),
                              schema={"teacher_id": pl.Int64, "class_id": pl.Int64}, orient="row")
        chosen = self.pick(self.fresh_classes(self.classes.join(taught, on="class_id")), count)
        for row in chosen.iter_rows(named=True):
            other = self.pick(self.fresh_classes(self.overlapping(row)), 1)
            if other.is_empty():
                continue
            teacher = Teacher.objects.get(pk=row["teacher_id"])
            # Already on the other institution's team (one person may teach for two schools): the plant is the
            # overlapping class, so that row is put on it.
            second = Teacher.objects.filter(institution_id=other["institution_id"][0],
                                            person_key=teacher.person_key).first() or Teacher.objects.create(
                institution_id=other["institution_id"][0], name=teacher.name, id_number_enc=teacher.id_number_enc,
                id_number_masked=teacher.id_number_masked, person_key=teacher.person_key,
                qualifications=teacher.qualifications)
            TrainingClass.objects.get(pk=other["class_id"][0]).teachers.add(second)
            self.used_classes.update({row["class_id"], other["class_id"][0]})
            self.truth.add("teacher_overlap", [ref_of("training.trainingclass", row["class_id"]),
                                               ref_of("training.trainingclass", other["class_id"][0])])

    def outliers(self, count: int) -> None:
        evaluated = pl.DataFrame({"institution_id": list(Evaluation.objects.values_list(
            "enrolment__training_class__institution_id", flat=True).iterator(chunk_size=20000))},
            schema={"institution_id": pl.Int64})
        big = evaluated.group_by("institution_id").agg(pl.len().alias("n")).filter(pl.col("n") >= 40)
        big = big.filter(~pl.col("institution_id").is_in(list(self.used_institutions)))
        everyone = self.enterprises["uscc"].to_list()
        for institution_id in self.pick(big, count)["institution_id"].to_list():
            Evaluation.objects.filter(enrolment__training_class__institution_id=institution_id).update(passed=True)
            claim_ids = list(SubsidyClaim.objects.filter(origin=ClaimOrigin.SYSTEM, institution_id=institution_id)
                             .values_list("pk", flat=True))
            # spread over many employers, so the linked-employer rule has nothing to say about it
            self._employ(claim_ids, [everyone[int(i)] for i in self.rng.integers(0, len(everyone), 50)])
            self.used_institutions.add(institution_id)
            self.used_classes.update(self.classes.filter(pl.col("institution_id") == institution_id)["class_id"])
            self.truth.add("outlier_rate", [ref_of("providers.institution", institution_id)])

    def rings(self, count: int) -> None:
        """Institution - legal representative - enterprise - phone - enterprise - phone - trainee - account -
        trainee, and institution - phone - trainee - account - trainee: seven members in one chain."""
        sizes = self.fresh_persons(self.single).group_by("institution_id").agg(pl.len().alias("n"))
        institutions = sizes.filter((pl.col("n") >= 4)
                                    & ~pl.col("institution_id").is_in(list(self.used_institutions)))
        for institution_id in self.pick(institutions, count)["institution_id"].to_list():
            institution = Institution.objects.get(pk=institution_id)
            pair = self.pick(self.enterprises.filter(
                (pl.col("city_id") == institution.city_id)
                & ~pl.col("enterprise_id").is_in(list(self.used_enterprises))), 2)
            trainees = self.pick(self.fresh_persons(self.single.filter(pl.col("institution_id") == institution_id)), 4)
            if pair.height < 2 or trainees.height < 4:
                continue
            first, second = (Enterprise.objects.get(pk=pk) for pk in pair["enterprise_id"].to_list())
            first.legal_representative = institution.legal_representative
            first.save(update_fields=["legal_representative"])
            second.phone = first.phone
            second.save(update_fields=["phone"])
            p1, p2, p3, p4 = trainees["person_key"].to_list()
            self.set_phone([p1], institution.phone)
            self.set_phone([p4], second.phone)
            self.set_bank_accounts({p1: (one := self.account()), p2: one, p3: (other := self.account()), p4: other})
            self.used_institutions.add(institution_id)
            self.used_enterprises.update({first.pk, second.pk})
            self.used_persons.update({p1, p2, p3, p4})
            self.truth.add("collusion_ring", [ref_of("providers.institution", institution_id),
                                              ref_of("demand.enterprise", first.pk), ref_of("demand.enterprise", second.pk),
                                              *(ref_of("people.person", key) for key in (p1, p2, p3, p4))])


def plant_fraud(seed: int, truth_path: Path, incidents: int = INCIDENTS,
                before_plants: Callable[[], None] | None = None) -> dict[str, Any]:
    """Plant every kind of fraud into the loaded province; write and return the truth. `before_plants` is
    called once the honest background is written and before any fraud is: what a rule finds then is a
    false alarm on honest records (bench/risk_run.py)."""
    with transaction.atomic():
        planter = _Planter(seed)
        planter.background()
        if before_plants is not None:
            before_plants()
        planter.frames()
        planter.outliers(min(OUTLIER_INCIDENTS, incidents))
        planter.employers(incidents)
        planter.rings(min(RING_INCIDENTS, incidents))
        planter.duplicates(incidents)
        planter.trainee_overlaps(incidents)
        planter.shared_phones(incidents)
        planter.shared_banks(incidents)
        planter.attendance(incidents)
        planter.teachers(incidents)
        if incidents > 0:
            planter.duplicate_with_history()
        truth = planter.truth.as_json(seed)
        record_event(planter.actor, "synth.fraud_planted", None, after={
            "seed": seed, "incidents": {signal: len(rows) for signal, rows in truth["incidents"].items()}})
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return truth

