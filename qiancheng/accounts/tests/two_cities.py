"""One record of every scoped model in a city, so scope tests can compare 南宁 with 柳州.

Built through the ORM with every database constraint active, on top of the domain model's builders.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import timezone

from qiancheng.accounts.models import Role, User
from qiancheng.brands.models import TrainingBrand
from qiancheng.catalog.models import City, County, IndustrialPark, Industry
from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.demand.models import (
    CensusRound,
    ContactConsent,
    DemandReport,
    DemandReportVersion,
    RoundScope,
    WorkerNeed,
    WorkerNeedVersion,
)
from qiancheng.evaluation.models import Certificate, CertificateKind, Evaluation
from qiancheng.funding.models import (
    CityAiUplift,
    ClaimOrigin,
    ClaimStatus,
    FundAccount,
    FundSource,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    PaymentBatch,
    SecondCheck,
    SubsidyClaim,
    TransactionKind,
)
from qiancheng.funding.tests import money
from qiancheng.insight.models import IndustryPlan, IndustryPlanLine, RatingAppeal, RatingSnapshot, Target
from qiancheng.insight.rating import parameters_on, score_of
from qiancheng.insight.tests.rating_records import formula_inputs
from qiancheng.people import crypto
from qiancheng.people.masking import mask_id_number
from qiancheng.people.models import PersonLink, SkillUpgradeSubsidy
from qiancheng.projects.models import DeliveryApplication
from qiancheng.providers.models import DocumentKind, InstitutionDocument, InstitutionScope, Teacher, Venue
from qiancheng.risk.models import (
    Case,
    CaseDecision,
    CaseEvidence,
    CaseMeasure,
    CaseNote,
    LinkCandidate,
    Signal,
)
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.models import AttendanceRecord, AttendanceThreshold, EmploymentFollowUp, ImportJob
from qiancheng.training.tests import builders

CITIES = {"450100": ("南宁市", "450102", "兴宁区"), "450200": ("柳州市", "450202", "城中区")}
_serial = itertools.count(1)


@dataclass
class CityWorld:
    """The records built for one city, by model."""

    city: City
    records: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)

    def add(self, *records: models.Model) -> None:
        for record in records:
            self.records.setdefault(type(record), []).append(record)

    def pks(self, model: type[models.Model]) -> set:
        return {record.pk for record in self.records.get(model, [])}

    @property
    def institution(self) -> models.Model:
        return self.records[builders.Institution][0]

    @property
    def enterprise(self) -> models.Model:
        return self.records[builders.Enterprise][0]

    @property
    def person(self) -> models.Model:
        return self.records[builders.Person][0]

    @property
    def industry(self) -> models.Model:
        return self.records[Industry][0]


def _clerk() -> User:
    return User.objects.create(username=f"clerk{next(_serial)}", role=Role.PROVINCE_OFFICIAL)


def build_city(code: str) -> CityWorld:
    name, county_code, county_name = CITIES[code]
    city = builders.city(code, name)
    County.objects.get_or_create(code=county_code, defaults={"name": county_name, "city": city})
    world = CityWorld(city)
    clerk = _clerk()
    institution = builders.institution(city=city)
    enterprise = builders.enterprise(city=city)
    project = builders.project(
        applicant=enterprise, city=city, chosen_institution=institution, choice_reason="师资与实训条件最优"
    )
    person = builders.person(id_number=builders.id_number(county=county_code))
    world.add(institution, enterprise, project, person)
    world.add(*_provider_records(institution))
    world.add(DeliveryApplication.objects.create(project=project, institution=institution, statement="有实训基地"))
    world.add(SkillUpgradeSubsidy.objects.create(
        record_id=f"SU{next(_serial)}", person=person, occupation=builders.occupation(), level=4,
        granted_on=date(2024, 6, 1),
    ))
    training_records = _training_records(world, institution, project, person)
    world.add(*training_records)
    funding_records = _funding_records(city, institution, project, person, clerk)
    world.add(*funding_records)
    fund, claim = funding_records[0], funding_records[1]
    world.add(*money.scope_records(city, institution, training_records[0], fund, claim, clerk))
    world.add(BlacklistEntry.objects.create(
        institution=institution, listed_from=date(2025, 1, 1), reason="虚假宣传", created_by=clerk,
    ))
    world.add(*_demand_records(city, enterprise, county_code, clerk))
    world.add(_brand(city, training_records[0]))
    # A park of the city and its operating company (4.1): the park is scoped, the operator's logins are the park's.
    park = IndustrialPark.objects.create(code=f"park-{code}", name=f"{name}产业园", city=city, is_confirmed=True,
                                         source_document="桂政函〔2026〕1号")
    world.add(park, builders.enterprise(city=city, park=park, is_park_operator=True))
    # The city's share of the year's target (issue 11): a record the province sets and each city may read.
    world.add(Target.objects.create(year=2026, city=city, count=1000, document="桂人社发〔2026〕1号",
                                    valid_from=date(2026, 1, 1), set_by=clerk))
    # The institution's star rating of a month and its appeal (issue 11): the city's records.
    parameters, inputs = parameters_on(date(2026, 1, 31)), formula_inputs()
    result = score_of(inputs, parameters)
    snapshot = RatingSnapshot.objects.create(
        institution=institution, city=city, period=date(2026, 1, 1), rating_day=date(2026, 1, 31),
        stars=result.stars, score=result.score, inputs=inputs, parameter_version=parameters.version,
        parameters=parameters.as_json(), computed_at=timezone.now())
    world.add(snapshot, RatingAppeal.objects.create(snapshot=snapshot, institution=institution, city=city,
                                                    reason="结业人数统计有误", filed_by=clerk,
                                                    filed_at=timezone.now()))
    world.add(*_risk_records(city, institution, person, county_code, clerk))
    world.add(*_matching_records(person, county_code, training_records[1], clerk))
    # An industry's training plan (6): province-wide, read by the province and by that industry's department; each
    # world plans for an industry of its own so the scope tests can tell the two departments apart.
    industry = Industry.objects.get_or_create(code=f"plan-{code}", defaults={"name": f"{name}规划产业"})[0]
    plan = IndustryPlan.objects.create(industry=industry, year=2026, document="桂工信发〔2026〕1号", filed_by=clerk,
                                       filed_at=timezone.now())
    world.add(industry, plan, IndustryPlanLine.objects.create(plan=plan, occupation=builders.occupation(), count=100))
    return world


def _risk_records(city: City, institution: models.Model, person: models.Model, county_code: str,
                  clerk: User) -> list[models.Model]:
    """A case with a note, a decision with a measure, evidence, a signal in it, and a link candidate (issue 12)."""
    now = timezone.now()
    twin = builders.person(id_number=builders.id_number(county=county_code), name=person.name)
    first, second = sorted([person, twin], key=lambda each: each.pk)
    case = Case.objects.create(city=city, title=f"{city.name}风险案件", opened_by=clerk, opened_at=now)
    note = CaseNote.objects.create(case=case, author=clerk, text="已调取考勤", written_at=now)
    signal = Signal.objects.create(
        rule="trainee_overlap", clause="6d", city=city, fingerprint=hashlib.sha256(city.code.encode()).hexdigest(),
        summary="同一学员同时在两个班", records=[{"model": "people.person", "pk": person.pk}],
        institution=institution, person=person, status="in_case", case=case, found_on=date(2026, 1, 5), found_at=now,
    )
    candidate = LinkCandidate.objects.create(
        person_a=first, person_b=second, city=city, match_probability=Decimal("0.99"), match_weight=Decimal("12"),
        driver="name", comparisons={}, model_version="test", found_at=now,
    )
    link = PersonLink.objects.create(person_a=first, person_b=second, source=f"risk.linkcandidate:{candidate.pk}",
                                     linked_on=date(2026, 1, 6), linked_at=now, linked_by=clerk, reason="户籍核实")
    decision = CaseDecision.objects.create(case=case, decided_by=clerk, decided_at=now, decided_on=date(2026, 1, 7),
                                           reason="调查期间暂停", document_ref=f"{city.name}人社处〔2026〕1号")
    measure = CaseMeasure.objects.create(decision=decision, kind="referral", institution=institution,
                                         referral_document_ref="移〔2026〕1号", referral_date=date(2026, 1, 7),
                                         referred_to="公安局")
    evidence = CaseEvidence.objects.create(case=case, file_name="流水.pdf", content_type="application/pdf", size=4,
                                           sha256=hashlib.sha256(b"%PDF").hexdigest(), content=b"%PDF",
                                           uploaded_by=clerk, uploaded_at=now)
    return [twin, case, note, signal, candidate, link, decision, measure, evidence]


def _demand_records(city: City, enterprise: models.Model, county_code: str, clerk: User) -> list[models.Model]:
    """A census round of the city and one demand report in it (issue 10)."""
    census = CensusRound.objects.create(title=f"{city.name}需求普查", period_from=date(2025, 1, 1),
                                        period_to=date(2025, 12, 31), scope=RoundScope.CITY, city=city,
                                        opened_by=clerk)
    industry = Industry.objects.get_or_create(code="ai", defaults={"name": "人工智能", "is_ai": True})[0]
    report = DemandReport.objects.create(
        census_round=census, enterprise=enterprise, occupation=builders.occupation(), level=4, headcount=20,
        wage_offered=Decimal("3800.00"), county_id=county_code, industry=industry, deadline=date(2026, 3, 1),
        will_hire=True, need_key=f"{next(_serial):064d}", created_by=clerk,
    )
    version = DemandReportVersion.objects.create(
        report=report, headcount=20, wage_offered=report.wage_offered, industry=industry, deadline=report.deadline,
        will_hire=True, recorded_at=timezone.now(), recorded_by=clerk)
    return [census, report, version]


def _brand(city: City, training: models.Model) -> models.Model:
    """A training brand the city proposed (1d), with its class: the city's record until the province publishes."""
    official = User.objects.create(username=f"brand{next(_serial)}", role=Role.CITY_OFFICIAL, city=city)
    occupation = builders.occupation()
    brand = TrainingBrand.objects.create(
        name=f"{city.name.removesuffix('市')}{occupation.name}培训", city=city, place_text=city.name.removesuffix("市"),
        occupation=occupation, proposed_by=official, proposed_at=timezone.now())
    brand.classes.add(training)
    return brand


def _matching_records(person: models.Model, county_code: str, enrolment: models.Model,
                      trainee: User) -> list[models.Model]:
    """The person's skill gap (and its version), consent to be contacted, and a follow-up of their class (issue 10);
    `trainee` stands for whoever recorded them (the scope does not read it)."""
    now = timezone.now()
    need = WorkerNeed.objects.create(person=person, occupation=builders.occupation(), level=3, county_id=county_code,
                                     willingness="willing", reported_by="self", created_by=trainee)
    version = WorkerNeedVersion.objects.create(need=need, county_id=county_code, willingness="willing",
                                               reported_by="self", recorded_at=now, recorded_by=trainee)
    consent = ContactConsent.objects.create(person=person, scope="profile", given_at=now, given_by=trainee)
    follow_up = EmploymentFollowUp.objects.create(enrolment=enrolment, person=person, months=3, status="employed",
                                                  observed_on=date(2026, 1, 5), recorded_by=trainee,
                                                  recorder_role="trainee", recorded_at=now)
    return [need, version, consent, follow_up]


def _provider_records(institution: models.Model) -> list[models.Model]:
    number = builders.id_number(county="450103")
    teacher = Teacher.objects.create(
        institution=institution, name="王老师", id_number_enc=crypto.encrypt(number, purpose="providers.teacher"),
        id_number_masked=mask_id_number(number), person_key=crypto.person_key(number),
    )
    scope = InstitutionScope.objects.create(
        institution=institution, training_type=TrainingType.OCCUPATIONAL, occupation=builders.occupation(),
        max_level=4,
    )
    content = b"%PDF-1.4 licence"
    document = InstitutionDocument.objects.create(
        institution=institution, kind=DocumentKind.BUSINESS_LICENCE, file_name="营业执照.pdf",
        content_type="application/pdf", size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        content=content, uploaded_by=_clerk(),
    )
    venue = Venue.objects.create(institution=institution, name="实训车间", address="民族大道1号",
                                 area_m2=Decimal("300.00"), seats=40)
    return [teacher, scope, document, venue]


def _training_records(world: CityWorld, institution, project, person) -> list[models.Model]:
    training = builders.training_class(
        institution=institution, city=world.city, training_type=TrainingType.PROJECT, project=project
    )
    enrolment = builders.enrolment(training, person, applicant_relation=ApplicantRelation.EMPLOYEE)
    attendance = AttendanceRecord.objects.create(
        enrolment=enrolment, person=person, session_date=date(2025, 9, 2), present=True, hours=Decimal("8.0")
    )
    evaluation = Evaluation.objects.create(
        enrolment=enrolment, person=person, passed=True, evaluated_on=date(2025, 10, 1), evaluator="评价中心"
    )
    certificate = Certificate.objects.create(
        number=f"C{next(_serial):08d}", kind=CertificateKind.PROJECT_TRAINING, person=person, project=project,
        issuer="评价中心", issued_on=date(2025, 10, 8), evaluation=evaluation,
    )
    roster = ImportJob.objects.create(training_class=training, file_name="名册.xlsx", file_sha256="0" * 64)
    threshold = AttendanceThreshold.objects.create(city=world.city, effective_from=date(2025, 6, 1),
                                                   rate=Decimal("0.75"), source="市人社局文件", set_by=_clerk())
    return [training, enrolment, attendance, evaluation, certificate, roster, threshold]


def _funding_records(city, institution, project, person, clerk) -> list[models.Model]:
    fund = FundAccount.objects.create(
        source=FundSource.EMPLOYMENT_SUBSIDY, city=city, year=2025, allocated=Decimal("100000.00")
    )
    claim = SubsidyClaim.objects.create(
        number=f"CL{next(_serial):08d}", origin=ClaimOrigin.IMPORTED, person=person,
        training_type=TrainingType.PROJECT, project=project, end_date=date(2025, 9, 30),
        fund=FundSource.EMPLOYMENT_SUBSIDY, city=city, institution=institution, status=ClaimStatus.PENDING,
    )
    posting = LedgerTransaction.objects.create(kind=TransactionKind.ALLOCATION, claim=claim, created_by=clerk)
    entry = LedgerEntry.objects.create(transaction=posting, account="fund.allocated", fund=fund,
                                       debit=Decimal("100.00"))
    payment = Payment.objects.create(
        claim=claim, person=person, amount=Decimal("900.00"), paid_at=timezone.make_aware(datetime(2025, 11, 1)),
        idempotency_key=f"pay-{next(_serial)}", created_by=clerk,
    )
    batch = PaymentBatch.objects.create(reference=f"PAY20251101-{city.code}-{next(_serial):010d}", city=city,
                                        count=1, total=Decimal("900.00"), status=SecondCheck.AWAITING,
                                        prepared_by=clerk)
    batch.claims.add(claim)
    uplift = CityAiUplift.objects.create(city=city, uplift=Decimal("0.10"), valid_from=date(2025, 1, 1),
                                         document="桂人社发〔2025〕演示号", set_by=clerk)
    return [fund, claim, posting, entry, payment, batch, uplift]


def build_two_cities() -> tuple[CityWorld, CityWorld]:
    return build_city("450100"), build_city("450200")
