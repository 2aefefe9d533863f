"""Fraud signals (6d): a registry of rules, each a function over the database that returns what it found.

A rule is registered with `@rule(code, clause, label)` and returns `Found` items: the city whose officials
decide it, a one-line summary in Chinese, the records it rests on (model label and primary key), and the
institution or person it points at. `risk.services.run_signals` writes them as Signal rows; a Signal's
fingerprint (rule, city, sorted records) makes a re-run add nothing. Thresholds are risk.parameters.

What the rules can see is what the system keeps: classes have days, not hours, so "at the same time"
means overlapping days; attendance has no device or minute, so copied attendance is read from identical
patterns (docs/risk.md says what each rule cannot tell apart).

The rules over the whole province (shared bank account, linked employer, outlier rate, collusion ring)
read their columns once into Polars frames and group there: one query per table, no query per record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.demand.models import Enterprise
from qiancheng.evaluation.models import Evaluation
from qiancheng.funding.models import ClaimOrigin, ClaimStatus, FundSource, SubsidyClaim
from qiancheng.providers.models import Institution, Teacher
from qiancheng.risk.features import bank_hashes, phone_hash, phone_hashes
from qiancheng.risk.parameters import Parameter, parameter
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.models import AttendanceRecord, Enrolment, EnrolmentStatus, TrainingClass


@dataclass(frozen=True)
class Found:
    city_id: str
    summary: str
    records: list[tuple[str, Any]]  # (model label, pk)
    institution_id: int | None = None
    person_id: str | None = None


@dataclass(frozen=True)
class SignalRule:
    code: str
    clause: str
    label: Any  # a lazy translation
    find: Callable[[Any], list[Found]]
    parameters: tuple[str, ...] = field(default_factory=tuple)

    def parameters_in_force(self, day: dt.date) -> dict[str, dict[str, str]]:
        return {name: parameter(name, day).as_record() for name in self.parameters}


RULES: dict[str, SignalRule] = {}


def rule(code: str, clause: str, label: str, parameters: tuple[str, ...] = ()) -> Callable:
    def register(find: Callable[[Any], list[Found]]) -> Callable[[Any], list[Found]]:
        RULES[code] = SignalRule(code, clause, label, find, parameters)
        return find

    return register


def fingerprint(code: str, found: Found) -> str:
    records = sorted([model, str(pk)] for model, pk in found.records)
    return hashlib.sha256(json.dumps([code, found.city_id, records]).encode("utf-8")).hexdigest()


def _value(name: str) -> Any:
    entry: Parameter = parameter(name)
    return entry.value


def _overlap_days(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> int:
    return max(0, (min(a_end, b_end) - max(a_start, b_start)).days + 1)


def _live_enrolments() -> Any:
    return Enrolment.objects.exclude(status=EnrolmentStatus.WITHDRAWN)


@rule("shared_phone", "6d", _("一个手机号对应多名不同姓名学员（跨机构）"),
      ("shared_phone_min_names", "shared_phone_min_institutions"))
def shared_phone(actor: Any) -> list[Found]:
    rows = list(_live_enrolments().values_list(
        "pk", "person_id", "person__name", "training_class__institution_id", "training_class__city_id"))
    phones = phone_hashes(actor, {row[1] for row in rows}, "风险信号：共用手机号 / risk signal: shared phone")
    groups: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        if row[1] in phones:
            groups[phones[row[1]]].append(row)
    min_names, min_institutions = _value("shared_phone_min_names"), _value("shared_phone_min_institutions")
    found = []
    for group in groups.values():
        names = {row[2] for row in group}
        institutions = {row[3] for row in group}
        if len(names) < min_names or len(institutions) < min_institutions:
            continue
        for city_id in sorted({row[4] for row in group}):
            mine = [row for row in group if row[4] == city_id]
            found.append(Found(
                city_id,
                f"同一手机号登记了{len(names)}名不同姓名的学员，分布在{len(institutions)}家机构（本市{len(mine)}人次）",
                [("people.person", row[1]) for row in mine] + [("training.enrolment", row[0]) for row in mine],
            ))
    return found


@rule("trainee_overlap", "6d", _("同一学员参加时间重叠的两个班"), ("trainee_overlap_min_days",))
def trainee_overlap(actor: Any) -> list[Found]:
    by_person: dict[str, list[tuple]] = defaultdict(list)
    for row in _live_enrolments().values_list(
        "pk", "person_id", "training_class_id", "training_class__start_date", "training_class__end_date",
        "training_class__city_id", "training_class__institution_id",
    ):
        by_person[row[1]].append(row)
    least = _value("trainee_overlap_min_days")
    found = []
    for person_id, rows in by_person.items():
        rows.sort(key=lambda row: (row[3], row[0]))
        for i, first in enumerate(rows):
            for second in rows[i + 1:]:
                if second[3] > first[4]:
                    break
                days = _overlap_days(first[3], first[4], second[3], second[4])
                if first[2] == second[2] or days < least:
                    continue
                records = [("people.person", person_id), ("training.enrolment", first[0]),
                           ("training.enrolment", second[0])]
                for city_id, institution_id in dict.fromkeys([(first[5], first[6]), (second[5], second[6])]):
                    found.append(Found(city_id, f"同一学员同时在两个班（重叠{days}天）", records,
                                       institution_id=institution_id, person_id=person_id))
    return found


@rule("teacher_overlap", "6d", _("同一教师同时在两个班授课（另一机构或另一场地）"), ("teacher_overlap_min_days",))
def teacher_overlap(actor: Any) -> list[Found]:
    through = TrainingClass.teachers.through
    teacher_key = dict(Teacher.objects.values_list("pk", "person_key"))
    by_teacher: dict[str, list[tuple]] = defaultdict(list)
    for teacher_id, class_id, start, end, city_id, institution_id, venue in through.objects.values_list(
        "teacher_id", "trainingclass_id", "trainingclass__start_date", "trainingclass__end_date",
        "trainingclass__city_id", "trainingclass__institution_id", "trainingclass__venue",
    ):
        by_teacher[teacher_key[teacher_id]].append((class_id, start, end, city_id, institution_id, venue, teacher_id))
    least = _value("teacher_overlap_min_days")
    found = []
    for rows in by_teacher.values():
        rows.sort(key=lambda row: (row[1], row[0]))
        for i, first in enumerate(rows):
            for second in rows[i + 1:]:
                if second[1] > first[2]:
                    break
                days = _overlap_days(first[1], first[2], second[1], second[2])
                elsewhere = first[4] != second[4] or first[5].strip() != second[5].strip()
                if first[0] == second[0] or days < least or not elsewhere:
                    continue
                records = [("providers.teacher", first[6]), ("training.trainingclass", first[0]),
                           ("providers.teacher", second[6]), ("training.trainingclass", second[0])]
                records = list(dict.fromkeys(records))
                for city_id, institution_id in dict.fromkeys([(first[3], first[4]), (second[3], second[4])]):
                    found.append(Found(city_id, f"同一教师同时在两处授课（重叠{days}天）", records,
                                       institution_id=institution_id))
    return found


@rule("copied_attendance", "6c", _("全班考勤完全相同（疑似复制）"),
      ("copied_attendance_min_trainees", "copied_attendance_min_sessions"))
def copied_attendance(actor: Any) -> list[Found]:
    """A whole class with the very same attendance, and a pattern that is not simply "present every day for
    the same hours": the same absences or the same odd hours for everyone are what copying leaves."""
    patterns: dict[int, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for class_id, enrolment_id, day, present, hours in AttendanceRecord.objects.filter(
        enrolment__status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED]
    ).values_list("enrolment__training_class_id", "enrolment_id", "session_date", "present", "hours").order_by(
        "enrolment__training_class_id", "enrolment_id", "session_date"
    ):
        patterns[class_id][enrolment_id].append((day, present, hours))
    least_trainees, least_sessions = _value("copied_attendance_min_trainees"), _value("copied_attendance_min_sessions")
    classes = dict(TrainingClass.objects.filter(pk__in=list(patterns)).values_list("pk", "city_id"))
    institutions = dict(TrainingClass.objects.filter(pk__in=list(patterns)).values_list("pk", "institution_id"))
    found = []
    for class_id, by_enrolment in patterns.items():
        distinct = {tuple(sessions) for sessions in by_enrolment.values()}
        if len(by_enrolment) < least_trainees or len(distinct) != 1:
            continue
        (pattern,) = distinct
        uniform = all(present for _day, present, _hours in pattern) and len({hours for *_, hours in pattern}) == 1
        if len(pattern) < least_sessions or uniform:
            continue
        found.append(Found(classes[class_id], f"全班{len(by_enrolment)}名学员{len(pattern)}天考勤完全相同",
                           [("training.trainingclass", class_id)], institution_id=institutions[class_id]))
    return found


@rule("claim_for_listed", "6d", _("为黑名单在列的个人或机构支付的补贴"))
def claim_for_listed(actor: Any) -> list[Found]:
    """A paid claim whose person (or institution) was listed on any day of the class."""
    found = []
    listings = BlacklistEntry.objects.all()
    person_listings = listings.filter(person__isnull=False)
    institution_listings = listings.filter(institution__isnull=False)
    paid = SubsidyClaim.objects.filter(status=ClaimStatus.PAID, city__isnull=False)
    for kind, entries, field_name in (("person", person_listings, "person_id"),
                                      ("institution", institution_listings, "institution_id")):
        parties = {getattr(entry, field_name) for entry in entries}
        if not parties:
            continue
        by_party: dict[Any, list[BlacklistEntry]] = defaultdict(list)
        for entry in entries:
            by_party[getattr(entry, field_name)].append(entry)
        for claim in paid.filter(**{f"{field_name}__in": parties}).only(
            "pk", "number", "person_id", "institution_id", "city_id", "start_date", "end_date"
        ):
            start = claim.start_date or claim.end_date
            for entry in by_party[getattr(claim, field_name)]:
                last = entry.listed_until or dt.date.max
                if entry.listed_from <= claim.end_date and last >= start:
                    who = "学员" if kind == "person" else "机构"
                    found.append(Found(
                        claim.city_id, f"申领{claim.number}已支付，而{who}在培训期间在黑名单上（{entry.listed_from}起）",
                        [("funding.subsidyclaim", claim.pk), ("sanctions.blacklistentry", entry.pk)],
                        institution_id=claim.institution_id, person_id=claim.person_id,
                    ))
                    break
    return found


# --- whole-province rules in Polars -------------------------------------------------------------------

_ENROLMENT_SCHEMA = {"enrolment_id": pl.Int64, "person_key": pl.String, "class_id": pl.Int64,
                     "institution_id": pl.Int64, "city_id": pl.String, "training_type": pl.String}


def _frame(rows: Any, schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _enrolment_frame() -> pl.DataFrame:
    return _frame(_live_enrolments().values_list(
        "pk", "person_id", "training_class_id", "training_class__institution_id", "training_class__city_id",
        "training_class__training_type",
    ).iterator(chunk_size=20000), _ENROLMENT_SCHEMA)


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _address_key(address: str) -> str:
    """Spaces and full-width digits do not make two addresses different."""
    folded = address.translate({ord(ch): ord(ch) - 0xFEE0 for ch in "０１２３４５６７８９"})
    return "".join(folded.split())


@rule("shared_bank_account", "6d", _("一个银行账户对应同一机构的多名学员"), ("shared_bank_min_trainees",))
def shared_bank_account(actor: Any) -> list[Found]:
    """Several trainees of one institution paid into one account: the institution (or an agent) collects
    the subsidies it had the trainees claim (骗取补贴)."""
    accounts = bank_hashes(actor, None, "风险信号：共用银行账户 / risk signal: shared bank account")
    if not accounts:
        return []
    least = _value("shared_bank_min_trainees")
    groups = (
        _enrolment_frame()
        .join(pl.DataFrame({"person_key": list(accounts), "account": list(accounts.values())}), on="person_key")
        .group_by("institution_id", "account")
        .agg(pl.col("city_id").first(), pl.col("person_key").unique().sort(), pl.col("enrolment_id").sort())
        .filter(pl.col("person_key").list.len() >= least)
        .sort("institution_id", "city_id")
    )
    return [
        Found(row["city_id"], f"同一银行账户登记了本机构{len(row['person_key'])}名学员",
              [("people.person", key) for key in row["person_key"]]
              + [("training.enrolment", pk) for pk in row["enrolment_id"]],
              institution_id=row["institution_id"])
        for row in groups.iter_rows(named=True)
    ]


def _links(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """What ties an employer to an institution in the registry: the same legal representative, phone,
    address, or the same USCC (the institution names itself as the employer)."""
    ties = []
    if first["uscc"] == second["uscc"]:
        ties.append("同一统一社会信用代码")
    if first["legal_representative"].strip() and first["legal_representative"].strip() == \
            second["legal_representative"].strip():
        ties.append("同一法定代表人")
    if _digits(first["phone"]) and _digits(first["phone"]) == _digits(second["phone"]):
        ties.append("同一联系电话")
    if _address_key(first["address"]) and _address_key(first["address"]) == _address_key(second["address"]):
        ties.append("同一地址")
    return ties


_ORGANISATION_FIELDS = ("pk", "uscc", "legal_representative", "phone", "address", "city_id")


def _organisations(model: Any, pks: Any) -> dict[Any, dict[str, Any]]:
    return {row["pk"]: row for row in model.objects.filter(pk__in=list(pks)).values(*_ORGANISATION_FIELDS)}


@rule("linked_employer", "6d", _("全班就业证明出自与机构有关联的同一家企业"),
      ("linked_employer_min_proofs", "linked_employer_min_share"))
def linked_employer(actor: Any) -> list[Found]:
    """Most of a class's employment proofs (5.2c) name one employer, and that employer shares a legal
    representative, phone or address with the institution that trained the class."""
    least, share = _value("linked_employer_min_proofs"), float(_value("linked_employer_min_share"))
    proofs = _frame(SubsidyClaim.objects.filter(enrolment__isnull=False, employment_proof_date__isnull=False)
                    .exclude(employer_uscc="").values_list(
                        "pk", "enrolment__training_class_id", "enrolment__training_class__institution_id",
                        "enrolment__training_class__city_id", "employer_uscc").iterator(chunk_size=20000),
                    {"claim_id": pl.Int64, "class_id": pl.Int64, "institution_id": pl.Int64, "city_id": pl.String,
                     "employer_uscc": pl.String})
    candidates = (
        proofs.with_columns(pl.len().over("class_id").alias("proofs"))
        .group_by("class_id", "employer_uscc")
        .agg(pl.col("institution_id").first(), pl.col("city_id").first(), pl.col("proofs").first(),
             pl.col("claim_id").sort())
        .filter((pl.col("claim_id").list.len() >= least)
                & (pl.col("claim_id").list.len() >= pl.col("proofs") * share))
        .sort("class_id", "employer_uscc")
    )
    if candidates.is_empty():
        return []
    employers = {row["uscc"]: row for row in Enterprise.objects.filter(
        uscc__in=candidates["employer_uscc"].unique().to_list()).values(*_ORGANISATION_FIELDS)}
    institutions = _organisations(Institution, candidates["institution_id"].unique().to_list())
    found = []
    for row in candidates.iter_rows(named=True):
        employer = employers.get(row["employer_uscc"])
        institution = institutions[row["institution_id"]]
        ties = _links(employer, institution) if employer else []
        if institution["uscc"] == row["employer_uscc"] and not employer:
            ties = ["同一统一社会信用代码"]
        if not ties:
            continue
        records = [("training.trainingclass", row["class_id"]), ("providers.institution", row["institution_id"])]
        if employer:
            records.append(("demand.enterprise", employer["pk"]))
        records += [("funding.subsidyclaim", pk) for pk in row["claim_id"]]
        found.append(Found(
            row["city_id"], f"本班{row['proofs']}份就业证明中{len(row['claim_id'])}份出自同一单位，该单位与机构"
            f"{'、'.join(ties)}", records, institution_id=row["institution_id"]))
    return found


def robust_z(values: pl.Expr) -> pl.Expr:
    """Iglewicz and Hoaglin's modified z-score, 0.6745 (x - median) / MAD; when more than half the peers
    share one value (MAD = 0) the mean absolute deviation stands in (x - median) / (1.2533 MeanAD)."""
    deviation = (values - values.median()).abs()
    mad = deviation.median()
    mean_ad = deviation.mean()
    return (pl.when(mad > 0).then(0.6745 * (values - values.median()) / mad)
            .when(mean_ad > 0).then((values - values.median()) / (1.2533 * mean_ad))
            .otherwise(None))


def rate_outliers(rates: pl.DataFrame, least: int, min_z: float) -> pl.DataFrame:
    """`rates`: measure, peer_group, institution_id, trainees, rate. The rows whose robust z-score among the
    peer group's institutions (each over at least `least` trainees) is at or above `min_z`, with peer median."""
    judged = rates.filter(pl.col("trainees") >= least)
    return judged.with_columns(
        robust_z(pl.col("rate")).over("measure", "peer_group").alias("z"),
        pl.col("rate").median().over("measure", "peer_group").alias("peer_median"),
        pl.len().over("measure", "peer_group").alias("peers"),
    ).filter(pl.col("z") >= min_z).sort("institution_id", "measure", "peer_group")


def institution_rates() -> pl.DataFrame:
    """Pass rate (evaluated trainees who passed) and employment rate (system claims with an employment
    proof) of each institution, per training type: an institution's peers train the same type."""
    evaluated = _frame(Evaluation.objects.values_list(
        "enrolment_id", "passed", "enrolment__training_class__institution_id",
        "enrolment__training_class__training_type").iterator(chunk_size=20000),
        {"enrolment_id": pl.Int64, "passed": pl.Boolean, "institution_id": pl.Int64, "peer_group": pl.String})
    passes = (evaluated.group_by("enrolment_id").agg(pl.col("passed").any(), pl.col("institution_id").first(),
                                                      pl.col("peer_group").first())
              .group_by("institution_id", "peer_group")
              .agg(pl.len().alias("trainees"), pl.col("passed").mean().alias("rate"))
              .with_columns(pl.lit("pass").alias("measure")))
    # Peers of an employment rate train the same type from the same fund: proofs are asked of the special
    # account's classes far more often (5.2b/5.2c), so its institutions would stand out from the rest.
    claims = _frame(SubsidyClaim.objects.filter(origin=ClaimOrigin.SYSTEM, institution__isnull=False).values_list(
        "institution_id", "training_type", "fund", "employment_proof_date").iterator(chunk_size=20000),
        {"institution_id": pl.Int64, "training_type": pl.String, "fund": pl.String, "proof": pl.Date})
    employed = (claims.with_columns(pl.concat_str("training_type", pl.lit("/"), "fund").alias("peer_group"))
                .group_by("institution_id", "peer_group")
                .agg(pl.len().alias("trainees"), pl.col("proof").is_not_null().mean().alias("rate"))
                .with_columns(pl.lit("employment").alias("measure")))
    columns = ["measure", "peer_group", "institution_id", "trainees", "rate"]
    return pl.concat([passes.select(columns), employed.select(columns)])


_MEASURE_NAMES = {"pass": "合格率", "employment": "就业率"}


def _peer_name(group: str) -> str:
    """"occupational/employment_subsidy" -> "职业技能培训（就业补助资金）"."""
    training_type, _sep, fund = group.partition("/")
    name = str(dict(TrainingType.choices).get(training_type, training_type))
    return f"{name}（{dict(FundSource.choices).get(fund, fund)}）" if fund else name


@rule("outlier_rate", "6d", _("机构合格率或就业率远高于同类机构"), ("outlier_rate_min_trainees", "outlier_rate_min_z"))
def outlier_rate(actor: Any) -> list[Found]:
    """A pass or employment rate far above the institutions training the same type: results bought or
    proofs made up. One signal per institution, naming each rate that stands out."""
    outliers = rate_outliers(institution_rates(), _value("outlier_rate_min_trainees"),
                             float(_value("outlier_rate_min_z")))
    if outliers.is_empty():
        return []
    cities = dict(Institution.objects.filter(pk__in=outliers["institution_id"].unique().to_list())
                  .values_list("pk", "city_id"))
    found = []
    for (institution_id,), rows in outliers.group_by(["institution_id"], maintain_order=True):
        parts = [f"{_peer_name(row['peer_group'])}{_MEASURE_NAMES[row['measure']]}{row['rate']:.0%}（{row['trainees']}人，"
                 f"{row['peers']}家同类机构中位数{row['peer_median']:.0%}，稳健z={row['z']:.1f}）"
                 for row in rows.iter_rows(named=True)]
        found.append(Found(cities[institution_id], "；".join(parts), [("providers.institution", institution_id)],
                           institution_id=institution_id))
    return found


def components(edges: pl.DataFrame) -> pl.DataFrame:
    """Connected components of the graph whose members (`node`) are joined when they share a value
    (`attr`): label propagation, each member taking the least label of the values it holds, until stable
    (as many rounds as the longest chain). Returns node, component (the least node of its component)."""
    edges = edges.unique()
    shared = edges.group_by("attr").agg(pl.len().alias("holders")).filter(pl.col("holders") >= 2).select("attr")
    edges = edges.join(shared, on="attr")
    labels = edges.select("node").unique().with_columns(pl.col("node").alias("component"))
    while True:
        by_attr = edges.join(labels, on="node").group_by("attr").agg(pl.col("component").min())
        fresh = edges.join(by_attr, on="attr").group_by("node").agg(pl.col("component").min())
        moved = fresh.join(labels, on="node", suffix="_before").filter(
            pl.col("component") != pl.col("component_before")).height
        labels = fresh
        if not moved:
            return labels


def ring_edges(actor: Any) -> pl.DataFrame:
    """Each member (I:institution, E:enterprise, P:person) with each value it holds that another may share:
    phone (keyed hash, persons' and organisations' alike), bank account (keyed hash), address, legal
    representative (name within a city: two 王伟 of two cities are not taken for one)."""
    rows: list[tuple[str, str]] = []
    for key, digest in phone_hashes(actor, None, "风险信号：关联团伙 / risk signal: collusion ring").items():
        rows.append((f"P:{key}", f"phone:{digest}"))
    for key, digest in bank_hashes(actor, None, "风险信号：关联团伙 / risk signal: collusion ring").items():
        rows.append((f"P:{key}", f"bank:{digest}"))
    for prefix, model in (("I", Institution), ("E", Enterprise)):
        for pk, representative, phone, address, city_id in model.objects.values_list(
                "pk", "legal_representative", "phone", "address", "city_id").iterator(chunk_size=20000):
            node = f"{prefix}:{pk}"
            if phone.strip():
                rows.append((node, f"phone:{phone_hash(phone)}"))
            if _address_key(address):
                rows.append((node, f"address:{_address_key(address)}"))
            if representative.strip():
                rows.append((node, f"representative:{city_id}:{representative.strip()}"))
    return pl.DataFrame(rows, schema={"node": pl.String, "attr": pl.String}, orient="row")


_TIE_NAMES = {"phone": "电话", "bank": "银行账户", "address": "地址", "representative": "法定代表人"}


@rule("collusion_ring", "6d", _("机构、企业与学员通过共用电话、账户、地址或法定代表人相连成团"),
      ("collusion_ring_min_size",))
def collusion_ring(actor: Any) -> list[Found]:
    """A connected group of at least the threshold's members with an institution or enterprise in it:
    one organisation's people behind other organisations and the trainees' money (转包, 骗取补贴)."""
    edges = ring_edges(actor)
    if edges.is_empty():
        return []
    least = _value("collusion_ring_min_size")
    members = components(edges)
    rings = (members.group_by("component").agg(pl.col("node").sort(), pl.len().alias("size"))
             .filter((pl.col("size") >= least)
                     & pl.col("node").list.eval(pl.element().str.starts_with("P:").not_()).list.any())
             .sort("component"))
    if rings.is_empty():
        return []
    ties = (edges.join(members, on="node").join(rings.select("component"), on="component")
            .with_columns(pl.col("attr").str.split(":").list.first().alias("tie"))
            .group_by("component", "attr").agg(pl.col("tie").first(), pl.len().alias("holders"))
            .filter(pl.col("holders") >= 2).group_by("component").agg(pl.col("tie").unique().sort()))
    tie_of = dict(zip(ties["component"], ties["tie"], strict=True))
    nodes = [node for row in rings["node"] for node in row]
    institution_city = dict(Institution.objects.filter(
        pk__in=[int(n[2:]) for n in nodes if n.startswith("I:")]).values_list("pk", "city_id"))
    enterprise_city = dict(Enterprise.objects.filter(
        pk__in=[int(n[2:]) for n in nodes if n.startswith("E:")]).values_list("pk", "city_id"))
    found = []
    for row in rings.iter_rows(named=True):
        institutions = [int(n[2:]) for n in row["node"] if n.startswith("I:")]
        enterprises = [int(n[2:]) for n in row["node"] if n.startswith("E:")]
        persons = [n[2:] for n in row["node"] if n.startswith("P:")]
        records = ([("providers.institution", pk) for pk in institutions]
                   + [("demand.enterprise", pk) for pk in enterprises] + [("people.person", key) for key in persons])
        joined = "、".join(_TIE_NAMES[tie] for tie in tie_of.get(row["component"], []))
        summary = (f"{len(institutions)}家机构、{len(enterprises)}家企业、{len(persons)}名人员通过共用{joined}相连")
        cities = sorted({institution_city[pk] for pk in institutions} | {enterprise_city[pk] for pk in enterprises})
        for city_id in cities:
            found.append(Found(city_id, summary, records,
                               institution_id=institutions[0] if len(institutions) == 1 else None))
    return found


def run_rules(actor: Any, codes: list[str] | None = None) -> Iterator[tuple[SignalRule, list[Found]]]:
    for code in codes or list(RULES):
        each = RULES[code]
        yield each, each.find(actor)

