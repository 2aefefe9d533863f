"""Matching (1b: 岗位需求 + 技能培训 + 技能评价 + 就业服务): demand meets training and the trained.

- **For a worker** (`recommendations`): the open classes of the occupation and level of each gap they reported
  (demand.WorkerNeed, not "暂不参加") and the published projects that name the occupation, nearest first (the same
  county, then the same city, then the rest of the province), each with what the engine predicts the person is
  still entitled to (`training.services.entitlement`: 3.5a this year, 3.5b in the programme, 3.5c the same
  occupation-level, 3.5d a lower level than a certificate held). The prediction is the engine's; this module only
  compares the class with it.
- **For an enterprise** (`candidates`): the holders of a valid skill certificate of a reported occupation at the
  reported level or higher, or of a valid special-ability certificate (专项职业能力证书, 3.2) of a reported item, who
  consented to be contacted (demand.ContactConsent in force). Nobody else, never an ID
  number or person key; the name masked as certificate verification masks it; the phone masked, and only where the
  consent's scope allows it; its clear reading (`reveal_candidate_phone`) is audited.
- **For a city** (`city_overview`): demand no class answers, and classes no demand asks for. An occupation-level
  is answered by a class of that occupation and level, a special-ability item by a class of that item, in the
  enterprise's city; a project-training content has no catalogue key and is answered by a project, not here.
- **The measure** (`matched_share`): the share of reported demand headcount (occupation-levels and items) matched
  to a class within the days in force (90, `matching.yaml`).

Demand sits low in the layers and training and evaluation above it, so matching lives here, above both.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from qiancheng.accounts.models import Role, User
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.catalog.models import County
from qiancheng.clock import today
from qiancheng.demand.models import ConsentScope, ContactConsent, DemandReport, Willingness, WorkerNeed
from qiancheng.evaluation.models import Certificate, CertificateKind, CertificateStatus
from qiancheng.evaluation.views import mask_name
from qiancheng.insight.demand_gap import check_window, headcounts_on, with_filing_day
from qiancheng.people.models import Person
from qiancheng.people.services import reveal_phone
from qiancheng.projects.models import Project, ProjectStatus
from qiancheng.training.models import APPROVED_STATES, TrainingClass
from qiancheng.training.services.enrolment import OPEN_STATES
from qiancheng.training.services.entitlement import Entitlement, remaining_entitlement

PARAMETERS_FILE = Path(__file__).with_name("matching.yaml")
CITY_READERS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
LIST_MAX = 200  # a page of suggestions, not the whole province
SAME_COUNTY, SAME_CITY, PROVINCE = 0, 1, 2


@dataclass(frozen=True)
class MatchDays:
    version: str
    valid_from: dt.date
    days: int
    source: str


@functools.cache
def _match_days() -> tuple[MatchDays, ...]:
    document = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))
    return tuple(sorted((MatchDays(str(entry["version"]), entry["valid_from"], int(entry["match_days"]["value"]),
                                   entry["match_days"]["source"]) for entry in document["versions"]),
                        key=lambda each: each.valid_from))


def match_days_on(day: dt.date) -> MatchDays:
    """The days within which a class must answer a need for it to count as matched, in force on `day`."""
    started = [each for each in _match_days() if each.valid_from <= day]
    return started[-1] if started else _match_days()[0]


# ---- for a worker ----

@dataclass(frozen=True)
class Refusal:
    clause: str
    zh: str
    en: str


@dataclass(frozen=True)
class ClassMatch:
    training_class: TrainingClass
    need: WorkerNeed
    nearness: int  # SAME_COUNTY, SAME_CITY or PROVINCE
    refusals: tuple[Refusal, ...]

    @property
    def entitled(self) -> bool:
        return not self.refusals


@dataclass(frozen=True)
class ProjectMatch:
    project: Project
    need: WorkerNeed
    nearness: int
    refusals: tuple[Refusal, ...]

    @property
    def entitled(self) -> bool:
        return not self.refusals


@dataclass
class Recommendations:
    person: Person
    entitlement: Entitlement
    needs: list[WorkerNeed]
    classes: list[ClassMatch] = field(default_factory=list)
    projects: list[ProjectMatch] = field(default_factory=list)

    @property
    def entitled_classes(self) -> list[ClassMatch]:
        return [each for each in self.classes if each.entitled]

    @property
    def refused_classes(self) -> list[ClassMatch]:
        return [each for each in self.classes if not each.entitled]


def predicted_refusals(entitlement: Entitlement, *, occupation: str | None, level: int | None,
                       ends_on: dt.date) -> tuple[Refusal, ...]:
    """What the engine's answer (`entitlement`) says a training of this occupation-level ending on `ends_on` would be
    refused for: 3.5a 每年不超过1次, 3.5b 累计不超过3次, 3.5c 同一职业同一等级只享受一次, 3.5d 不得低于已取得等级."""
    found: list[Refusal] = []
    if entitlement.left_in_programme == 0:
        found.append(Refusal("3.5b", "补贴培训已满3次", "three subsidised trainings already used"))
    elif entitlement.used_this_year and ends_on.year == entitlement.on.year:
        found.append(Refusal("3.5a", "今年已享受过一次补贴培训", "this year's subsidised training is used"))
    if occupation and level is not None:
        if (occupation, level) in entitlement.used_levels:
            found.append(Refusal("3.5c", "该职业该等级已享受过补贴", "this occupation and level was subsidised before"))
        if (occupation, level) in entitlement.closed_levels:
            found.append(Refusal("3.5d", "已取得更高等级证书", "a higher-level certificate is held"))
    return tuple(found)


def _nearness(need: WorkerNeed, city_id: str, place_texts: tuple[str, ...]) -> int:
    """Same county when the class's venue or its institution's registered address names the need's county (a class
    records its city, not its county); same city; otherwise the province."""
    if city_id != need.county.city_id:
        return PROVINCE
    if any(need.county.name and need.county.name in text for text in place_texts):
        return SAME_COUNTY
    return SAME_CITY


def recommendations(user: User, person: Person | None = None) -> Recommendations:
    """The classes and projects that fit each gap the person reported, nearest first, entitled ones first. The
    trainee asks for themselves; an official for a person whose gap is in their scope."""
    if person is None:
        person = get_scoped_or_404(Person, user, pk=user.person_id)
    needs = list(scoped(WorkerNeed, user).filter(person=person).exclude(willingness=Willingness.UNWILLING)
                 .select_related("occupation", "county"))
    entitlement = remaining_entitlement(person.person_key, person.county_code)
    found = Recommendations(person, entitlement, needs)
    on = today()
    for need in needs:
        classes = (TrainingClass.objects.filter(status__in=OPEN_STATES, end_date__gte=on, occupation=need.occupation,
                                                level=need.level)
                   .select_related("institution", "city", "occupation").order_by("start_date", "pk")[:LIST_MAX])
        for each in classes:
            found.classes.append(ClassMatch(
                each, need, _nearness(need, each.city_id, (each.venue, each.institution.address)),
                predicted_refusals(entitlement, occupation=need.occupation_id, level=need.level,
                                   ends_on=each.end_date)))
        name = need.occupation.name
        projects = (Project.objects.filter(status=ProjectStatus.PUBLISHED)
                    .filter(Q(title__contains=name) | Q(skill_requirements__contains=name) | Q(content__contains=name))
                    .select_related("city", "applicant").order_by("-published_on", "pk")[:LIST_MAX])
        for project in projects:
            found.projects.append(ProjectMatch(
                project, need, _nearness(need, project.city_id, ()),
                # a project's own subject is its content, not an occupation-level, so only 3.5a/b can be predicted
                predicted_refusals(entitlement, occupation=None, level=None, ends_on=on)))
    found.classes.sort(key=lambda m: (not m.entitled, m.nearness, m.training_class.start_date, m.training_class.pk))
    found.projects.sort(key=lambda m: (not m.entitled, m.nearness, m.project.pk))
    return found


# ---- for an enterprise ----

@dataclass(frozen=True)
class Candidate:
    consent_id: int  # the handle an enterprise uses; never the person key or the ID number
    masked_name: str
    occupation_code: str | None  # None for a special-ability certificate, which names an item instead
    occupation_name: str  # the occupation's or the item's name
    level: int | None  # None for a special-ability certificate (it has no level)
    issued_on: dt.date
    city_name: str
    phone_masked: str  # "" unless the consent's scope allows the phone
    may_reveal_phone: bool
    item_code: str | None = None


def _own_report(user: User, report_id: int) -> DemandReport:
    """The enterprise's own report; for anyone else (a city's official included) the same 404 as a missing one."""
    reports = DemandReport.objects.select_related("occupation", "item", "enterprise")
    return get_scoped_or_404(reports if user.role == Role.ENTERPRISE else reports.none(), user, pk=report_id)


def _consented_holders(report: DemandReport) -> QuerySet[Certificate]:
    """Valid certificates that answer the report, of people whose consent to be contacted is in force: a skill
    certificate of the occupation at the reported level or higher (a smaller number), or a special-ability
    certificate of the reported item. A project-training content names no certificate: nobody."""
    if report.item_id is not None:
        certificates = Certificate.objects.filter(kind=CertificateKind.SPECIAL_ABILITY, item_id=report.item_id)
    elif report.occupation_id is not None and report.level is not None:
        certificates = Certificate.objects.filter(kind=CertificateKind.VOCATIONAL_SKILL_LEVEL,
                                                  occupation_id=report.occupation_id, level__lte=report.level)
    else:
        return Certificate.objects.none()
    return (certificates.filter(status=CertificateStatus.VALID)
            # Exists, not a join: "withdrawn_at is null" across a reverse join would also match nobody's consent
            .filter(Exists(ContactConsent.objects.filter(person=OuterRef("person"), withdrawn_at__isnull=True))))


def candidates(user: User, report_id: int) -> tuple[DemandReport, list[Candidate]]:
    """The consenting holders of a matching certificate for one of the enterprise's own reports; those of its city
    first, then the highest level, then the newest certificate."""
    report = _own_report(user, report_id)
    certificates = (_consented_holders(report)
                    .select_related("person", "occupation", "item").order_by("person_id", "level", "-issued_on"))
    best: dict[str, Certificate] = {}
    for certificate in certificates[:LIST_MAX * 5]:
        best.setdefault(certificate.person_id, certificate)
    consents = {each.person_id: each for each in ContactConsent.objects.filter(
        person_id__in=best, withdrawn_at__isnull=True)}
    counties = {each.code: each for each in County.objects.filter(
        code__in={c.person.county_code for c in best.values()}).select_related("city")}
    rows = []
    for key, certificate in best.items():
        consent, county = consents[key], counties.get(certificate.person.county_code)
        phone = consent.scope == ConsentScope.PHONE and bool(certificate.person.phone_masked)
        rows.append((county is None or county.city_id != report.enterprise.city_id, certificate.level,
                     -certificate.issued_on.toordinal(), Candidate(
            consent.pk, mask_name(certificate.person.name), certificate.occupation_id,
            (certificate.item or certificate.occupation).name, certificate.level, certificate.issued_on,
            county.city.name if county else "", certificate.person.phone_masked if phone else "", phone,
            certificate.item_id)))
    # the highest level first: a smaller number; an item's certificates have none
    rows.sort(key=lambda row: (row[0], row[1] or 0, row[2], row[3].consent_id))
    return report, [row[3] for row in rows[:LIST_MAX]]


def reveal_candidate_phone(user: User, report_id: int, consent_id: int, reason: str) -> str:
    """The clear phone of a candidate for the enterprise's report, if the consent in force allows it; the read is
    audited (`person.phone_revealed`, people.services). A withdrawn consent, another scope, or someone who is no
    candidate of this report answers the same "not found"."""
    report = _own_report(user, report_id)
    consent = ContactConsent.objects.filter(pk=consent_id, withdrawn_at__isnull=True,
                                            scope=ConsentScope.PHONE).select_related("person").first()
    if consent is None or not _consented_holders(report).filter(person=consent.person).exists():
        raise LookupError(consent_id)
    return reveal_phone(user, consent.person, reason or f"企业联系候选人 demand report {report.pk}")


# ---- for a city ----

Key = tuple[str | None, int | None, str | None, str]  # occupation code, level, item code, city code
ANSWERABLE = Q(occupation__isnull=False, level__isnull=False) | Q(item__isnull=False)


@dataclass
class CityOverview:
    unanswered_reports: list[DemandReport]
    unanswered_needs: list[dict[str, Any]]  # occupation, level, city, workers (a worker reports occupations only)
    idle_classes: list[TrainingClass]
    share: MatchedShare


def _supplied(classes: QuerySet[TrainingClass]) -> set[Key]:
    return set(classes.values_list("occupation_id", "level", "item_id", "city_id"))


def city_overview(user: User) -> CityOverview:
    """Demand without supply (reports and willing workers no open class answers) and classes without demand (open
    classes of an occupation-level nobody in their city reported), in the official's scope."""
    if user.role not in CITY_READERS:
        raise PermissionDenied("只有人社部门可以查看供需匹配 / only officials see matching")
    on = today()
    open_classes = scoped(TrainingClass, user).filter(ANSWERABLE, status__in=APPROVED_STATES, end_date__gte=on)
    supplied = _supplied(TrainingClass.objects.filter(ANSWERABLE, status__in=APPROVED_STATES, end_date__gte=on))
    reports = (scoped(DemandReport, user).filter(ANSWERABLE, census_round__period_to__gte=on)
               .select_related("enterprise__city", "occupation", "item", "county"))
    needs = (scoped(WorkerNeed, user).exclude(willingness=Willingness.UNWILLING)
             .select_related("occupation", "county__city"))
    unanswered = [r for r in reports.order_by("pk")
                  if (r.occupation_id, r.level, r.item_id, r.enterprise.city_id) not in supplied][:LIST_MAX]
    grouped: dict[Key, dict[str, Any]] = {}
    for need in needs:
        key = (need.occupation_id, need.level, None, need.county.city_id)
        if key in supplied:
            continue
        row = grouped.setdefault(key, {"occupation": need.occupation, "level": need.level,
                                       "city": need.county.city, "workers": 0})
        row["workers"] += 1
    asked = set(reports.values_list("occupation_id", "level", "item_id", "enterprise__city_id")) | {
        (n.occupation_id, n.level, None, n.county.city_id) for n in needs}
    idle = [c for c in open_classes.select_related("institution", "occupation", "item", "city")
            .order_by("start_date", "pk") if (c.occupation_id, c.level, c.item_id, c.city_id) not in asked][:LIST_MAX]
    unanswered_needs = sorted(grouped.values(), key=lambda row: -row["workers"])[:LIST_MAX]
    return CityOverview(unanswered, unanswered_needs, idle, matched_share(user))


# ---- the measure ----

@dataclass(frozen=True)
class MatchedShare:
    date_from: dt.date
    date_to: dt.date
    days: int
    demand: int  # headcount of the needs first reported in the window
    matched: int  # of which a class answered within `days`

    @property
    def share(self) -> Decimal | None:
        if not self.demand:
            return None
        return (Decimal(self.matched) / Decimal(self.demand)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def matched_share(user: User, date_from: dt.date | None = None, date_to: dt.date | None = None, *,
                  city_code: str | None = None) -> MatchedShare:
    """The share of demand headcount matched to a class within the days in force (1b, 1c): over the demand reports
    of an occupation and level, or of a special-ability item, first reported in the window (their first version), the
    headcount as it stands at the window's end; matched when an approved class (or later) of the same occupation and
    level, or of the same item, in the enterprise's city runs on some day from the first report to that day plus the days (it starts by then and
    does not end before the report)."""
    if user.role not in CITY_READERS:
        raise PermissionDenied("only officials read the matched share")
    try:
        date_from, date_to = check_window(date_from, date_to)
    except ValueError as refusal:
        raise ValidationError(str(refusal), code=getattr(refusal, "code", "window_invalid")) from refusal
    days = match_days_on(date_to).days
    reports = with_filing_day(scoped(DemandReport, user).filter(ANSWERABLE))
    if city_code:
        reports = reports.filter(enterprise__city_id=city_code)
    reports = reports.filter(filed_on__gte=date_from, filed_on__lte=date_to)
    standing = headcounts_on(DemandReport.objects.filter(pk__in=reports.values("pk")), min(date_to, today()))
    rows = list(reports.values_list("pk", "occupation_id", "level", "item_id", "enterprise__city_id", "filed_on"))
    runs: dict[Key, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for occupation, level, item, city, start, end in TrainingClass.objects.filter(
            Q(occupation_id__in={row[1] for row in rows if row[1]}, level__isnull=False)
            | Q(item_id__in={row[3] for row in rows if row[3]}), status__in=APPROVED_STATES).values_list(
            "occupation_id", "level", "item_id", "city_id", "start_date", "end_date"):
        runs[(occupation, level, item, city)].append((start, end))
    demand = matched = 0
    for pk, occupation, level, item, city, filed_on in rows:
        headcount = standing.get(pk, 0)
        demand += headcount
        deadline = filed_on + dt.timedelta(days=days)
        if any(start <= deadline and end >= filed_on
               for start, end in runs.get((occupation, level, item, city), ())):
            matched += headcount
    return MatchedShare(date_from, date_to, days, demand, matched)
