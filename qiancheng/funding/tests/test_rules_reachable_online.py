"""Every rule of the engine is reachable online: for each rule ID, a journey through the real services
(enrol → attendance → finish the class → results and certificates → file the claim → the decision)
that the rule lets through, and one that it denies, the decision naming it.

A rule that no online path can *pass* is a defect (issue 9: UI-fund and IYB/EYB claims were denied by
5.3 and 3.3 because nothing recorded the benefit or the licence). Where input validation keeps a
failing case out of the system altogether, the case says why and asserts the refusal at input instead.

The mutation check turns each rule's condition into "always deny" in the engine's registry and runs
the rule's grant journey again: it must then be denied, so every case below bites.

History that a limit rule counts arrives through the same services. Because enrolment already asks
the engine (a second training in a year is refused before weeks of training), a denial by a limit
rule needs the history to appear after enrolment: an earlier claim rejected and filed again once its
documents are complete (a rejected claim does not count), or a certificate earned in a class that
ended between this class's enrolment and its end.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from django.core.exceptions import ValidationError

from qiancheng.catalog.vocabulary import ApplicantRelation, TrainingType
from qiancheng.clock import frozen_at
from qiancheng.evaluation.services import class_certificate_kind, issue_certificates, record_result
from qiancheng.funding.models import ClaimStatus, FundSource, PartyKind, SubsidyClaim
from qiancheng.funding.services.claims import EmploymentProof, approve_claim, file_claim, reject_claim
from qiancheng.funding.services.funds import allocate
from qiancheng.funding.services.payments import pay_batch
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.people.identity import id_number_check_character
from qiancheng.policy import engine
from qiancheng.policy.rules import ALL_RULES, CLAIM_RULES, LIMIT_RULES, LimitMatch
from qiancheng.projects.models import Project, TraineeLink
from qiancheng.projects.services import confirm_effect
from qiancheng.sanctions.services import list_institution
from qiancheng.training.models import ClassStatus, Enrolment, EnrolmentStatus, TrainingClass
from qiancheng.training.services.attendance import Mark, record_attendance
from qiancheng.training.services.classes import approve_class, finish_class
from qiancheng.training.services.enrolment import enrol_person
from qiancheng.training.services.evidence import EnrolmentEvidence
from qiancheng.training.tests import builders
from qiancheng.training.tests.test_api import Api
from qiancheng.training.tests.test_enrolment_evidence import business_licence_uscc

pytestmark = pytest.mark.django_db

ES, SA, UI = FundSource.EMPLOYMENT_SUBSIDY, FundSource.SPECIAL_ACCOUNT, FundSource.UNEMPLOYMENT_INSURANCE
AI_TRAINER, ELECTRICIAN = ("4-04-05-05", "人工智能训练师"), ("6-31-01-03", "电工")
BENEFIT = EnrolmentEvidence(receiving_unemployment_benefit=True, benefit_evidence="失业保险金核定通知书 南人社失〔2025〕0088号",
                            benefit_evidence_date=date(2025, 2, 20))
CONTRACT = EnrolmentEvidence(relation_evidence="劳动合同 HT-2025-0456", relation_evidence_date=date(2025, 1, 6))


def number(serial: int) -> str:
    first17 = f"45010219910606{serial:03d}"
    return first17 + id_number_check_character(first17)


@dataclass(frozen=True)
class Refused:
    """A journey stopped at input: what refused it and the codes it gave (rule IDs for the engine's)."""

    stage: str
    codes: frozenset[str]


@dataclass
class World:
    """One institution in 南宁 with its staff, the city's reviewer, the province, one applicant enterprise."""

    school: Any
    city: Any
    province: Any
    applicant: Any
    funds: dict[tuple[str, int], Any] = field(default_factory=dict)
    serial: int = 0

    @property
    def institution(self) -> Any:
        return self.school.institution

    def fund(self, source: str, year: int) -> Any:
        if (source, year) not in self.funds:
            self.funds[(source, year)] = allocate(self.province, source, year, Decimal("100000.00"), "桂人社发〔2025〕1号",
                                                  city=builders.city())
        return self.funds[(source, year)]

    # ------------------------------------------------------------ classes (opened with the builders)

    def occupational(self, year: int, month: int, level: int = 4, occupation: tuple[str, str] = AI_TRAINER,
                     **fields: Any) -> TrainingClass:
        return self._class(year, month, training_type=TrainingType.OCCUPATIONAL,
                           occupation=builders.occupation(*occupation), level=level, **fields)

    def special_ability(self, year: int, month: int, hours: int, **fields: Any) -> TrainingClass:
        return self._class(year, month, training_type=TrainingType.SPECIAL_ABILITY, item=builders.item(),
                           class_hours=hours, **fields)

    def entrepreneurship(self, year: int, month: int, kind: str) -> TrainingClass:
        return self._class(year, month, training_type=TrainingType.ENTREPRENEURSHIP, course_kind=builders.course_kind(kind),
                           class_hours=40)

    def project_class(self, year: int, month: int, project: Any = None) -> TrainingClass:
        project = project or builders.project(applicant=self.applicant.enterprise, chosen_institution=self.institution,
                                              choice_reason="实训条件最好", trainee_link=TraineeLink.BOTH)
        return self._class(year, month, training_type=TrainingType.PROJECT, project=project, class_hours=40)

    def _class(self, year: int, month: int, **fields: Any) -> TrainingClass:
        fields.setdefault("class_hours", 80)
        fields.setdefault("status", ClassStatus.APPROVED)
        return builders.training_class(institution=self.institution, start_date=date(year, month, 1),
                                       end_date=date(year, month, 26), **fields)

    # ------------------------------------------------------------ the journey's steps, each on its own day

    def enrol(self, training: TrainingClass, *, on: date | None = None, category: str = "registered_unemployed",
              relation: str = ApplicantRelation.NONE, evidence: EnrolmentEvidence | None = None,
              serial: int | None = None) -> Enrolment:
        """A new trainee unless `serial` names an earlier one."""
        if serial is None:
            self.serial += 1
            serial = self.serial
        with frozen_at(on or training.start_date):
            return enrol_person(self.school, training, id_number=number(serial), name=f"学员{serial}",
                                category=category, relation=relation, evidence=evidence)

    def attend_and_finish(self, training: TrainingClass) -> None:
        """Every trainee attends every hour (the 6c gate is met), then the class closes on its last day."""
        enrolled = list(training.enrolments.filter(status=EnrolmentStatus.ENROLLED).values_list("pk", flat=True))
        left, day = training.class_hours, training.start_date
        while left > 0:
            hours = min(left, 20)
            with frozen_at(day):
                record_attendance(self.school, training, day, [Mark(pk, True, Decimal(hours)) for pk in enrolled])
            left, day = left - hours, day + timedelta(days=1)
        with frozen_at(training.end_date):
            finish_class(self.school, training)
        training.refresh_from_db()

    def results(self, training: TrainingClass, *, failed: tuple[Enrolment, ...] = ()) -> None:
        """Results on the last day; certificates for those who passed (a project's after both confirm, 3.4d)."""
        with frozen_at(training.end_date):
            if training.project_id is not None and not Project.objects.get(pk=training.project_id).effect_confirmed:
                confirm_effect(self.city, training.project, True, "")
                confirm_effect(self.applicant, training.project, True, "")
            for enrolment in training.enrolments.all():
                passed = enrolment.pk not in {each.pk for each in failed}
                evaluation = record_result(self.school, enrolment, passed=passed, evaluated_on=training.end_date,
                                           evaluator="南宁市职业技能鉴定中心", score=Decimal("85" if passed else "40"))
                if passed:
                    issue_certificates(self.school, evaluation, [class_certificate_kind(training)],
                                       issuer="南宁市人力资源和社会保障局", issued_on=training.end_date)

    def trained(self, training: TrainingClass, *, failed: tuple[Enrolment, ...] = ()) -> TrainingClass:
        self.attend_and_finish(training)
        self.results(training, failed=failed)
        return training

    def claim(self, enrolment: Enrolment, source: str = ES, *, advanced_by: tuple[str, str] | None = None,
              proof: EmploymentProof | None = None, on: date | None = None) -> SubsidyClaim:
        """The institution files ten days after the class ended (3.6: it advanced the cost unless told)."""
        enrolment = Enrolment.objects.select_related("training_class").get(pk=enrolment.pk)  # as the class now is
        training = enrolment.training_class
        uscc = self.institution.uscc
        kind, ref = advanced_by or (PartyKind.INSTITUTION, uscc)
        with frozen_at(on or training.end_date + timedelta(days=10)):
            return file_claim(self.school, enrolment, self.fund(source, training.end_date.year), kind, ref,
                              PartyKind.INSTITUTION, uscc, proof)

    def pay(self, claim: SubsidyClaim) -> SubsidyClaim:
        """The city approves and pays it in a payment batch."""
        with frozen_at(claim.end_date + timedelta(days=20)):
            approve_claim(self.city, claim, "材料齐全")
            payments, refused = pay_batch(self.city, [claim], f"PB-{claim.number}")
        assert not refused and len(payments) == 1
        claim.refresh_from_db()
        return claim

    def rejected_then_refiled(self, claim: SubsidyClaim, *, after: Callable[[], Enrolment]) -> Enrolment:
        """The reviewer rejects a claim (it stops counting), the trainee enrols in a later class (`after`),
        and the next day the claim is filed again with its documents complete; the later enrolment."""
        with frozen_at(claim.end_date + timedelta(days=12)):
            reject_claim(self.city, claim, "缺少考勤签到表原件")
        later = after()
        again = self.claim(claim.enrolment, claim.fund, on=later.enrolled_on + timedelta(days=1))
        assert again.status == ClaimStatus.PENDING and again.pk != claim.pk
        return later

    def trainee_journey(self, training: TrainingClass, source: str = ES, **enrolment: Any) -> SubsidyClaim:
        """One trainee from enrolment to a decided claim."""
        chosen = self.enrol(training, **enrolment)
        self.trained(training)
        return self.claim(chosen, source)


@pytest.fixture
def world(institution_user, nanning_official, province_official, enterprise_user) -> World:
    return World(institution_user, nanning_official, province_official, enterprise_user)


def denied_by(claim: SubsidyClaim) -> set[str]:
    return set(filter(None, claim.denied_by.split(";")))


def granted(claim: SubsidyClaim) -> bool:
    assert claim.eligible is not None, "the engine decided the claim when it was filed"
    return claim.eligible and not claim.denied_by and claim.total_amount > 0


def outcome(journey: Callable[[World], Any], world: World) -> SubsidyClaim | Refused:
    """The journey's claim, or where and why it was refused at input."""
    try:
        return journey(world)
    except ValidationError as refusal:
        return Refused("input", frozenset(error.code or "" for error in refusal.error_list))
    except FundingRefused as refusal:
        return Refused("filing", frozenset({refusal.code}))


# ---------------------------------------------------------------- the journeys, rule by rule

def plain(world: World) -> SubsidyClaim:
    return world.trainee_journey(world.occupational(2025, 9))


def with_proof_dated(days_after_filing: int) -> Callable[[World], SubsidyClaim]:
    def journey(world: World) -> SubsidyClaim:
        training = world.occupational(2025, 9)
        chosen = world.enrol(training)
        world.trained(training)
        filed_on = training.end_date + timedelta(days=10)
        proof = EmploymentProof("labour_contract", filed_on + timedelta(days=days_after_filing))
        return world.claim(chosen, proof=proof, on=filed_on)
    return journey


def failed_occupational(world: World) -> SubsidyClaim:
    training = world.occupational(2025, 9)
    chosen = world.enrol(training)
    world.trained(training, failed=(chosen,))
    return world.claim(chosen)


def project_journey(*, passed: bool = True, fund: str = SA, advanced_by_applicant: bool = False,
                    relation: str = ApplicantRelation.EMPLOYEE) -> Callable[[World], SubsidyClaim]:
    def journey(world: World) -> SubsidyClaim:
        training = world.project_class(2025, 9)
        chosen = world.enrol(training, category="enterprise_employee", relation=relation, evidence=CONTRACT)
        world.trained(training, failed=() if passed else (chosen,))
        applicant = (PartyKind.ENTERPRISE, world.applicant.enterprise.uscc) if advanced_by_applicant else None
        return world.claim(chosen, fund, advanced_by=applicant)
    return journey


def special_ability(hours: int) -> Callable[[World], SubsidyClaim]:
    """3.2 is checked when the city approves the class: 28 hours is approved, 27 never runs."""
    def journey(world: World) -> SubsidyClaim:
        submitted = world.special_ability(2025, 9, hours, status=ClassStatus.SUBMITTED)
        with frozen_at(date(2025, 8, 1)):
            approved = approve_class(world.city, submitted)
        return world.trainee_journey(approved)
    return journey


def iyb(*, licensed: bool) -> Callable[[World], SubsidyClaim]:
    def journey(world: World) -> SubsidyClaim:
        licence = EnrolmentEvidence(business_licence_uscc=business_licence_uscc(world.serial + 1),
                                    business_licence_issued_on=date(2024, 6, 1)) if licensed else None
        return world.trainee_journey(world.entrepreneurship(2025, 9, "IYB"), category="other", evidence=licence)
    return journey


def unemployment_insurance(*, receiving: bool) -> Callable[[World], SubsidyClaim]:
    def journey(world: World) -> SubsidyClaim:
        return world.trainee_journey(world.occupational(2025, 9), UI, evidence=BENEFIT if receiving else None)
    return journey


def earlier_then_later(*, earlier: Callable[[World], TrainingClass], later: Callable[[World], TrainingClass],
                       refiled: bool, category: str = "registered_unemployed",
                       relation: str = ApplicantRelation.NONE) -> Callable[[World], SubsidyClaim]:
    """The same person in an earlier class (claimed) and a later one (claimed, decided against the earlier).

    Granted: the earlier claim is counted before the later enrolment. Denied: the earlier claim is
    rejected (it stops counting), the later enrolment is made, then the earlier claim is filed again.
    """
    def journey(world: World) -> SubsidyClaim:
        evidence = CONTRACT if relation != ApplicantRelation.NONE else None
        first_class = earlier(world)
        first = world.enrol(first_class, category=category, relation=relation, evidence=evidence)
        serial = world.serial
        world.trained(first_class)
        source = SA if first_class.training_type == TrainingType.PROJECT else ES

        def enrol_later() -> Enrolment:
            # The later class is opened only now: a project's effect is confirmed once no class of it runs (3.4d).
            return world.enrol(later(world), serial=serial, category=category, relation=relation, evidence=evidence)

        first_claim = world.claim(first, source)
        later_enrolment = world.rejected_then_refiled(first_claim, after=enrol_later) if refiled else enrol_later()
        world.trained(later_enrolment.training_class)
        return world.claim(later_enrolment, source)
    return journey


def three_earlier(*, refiled: bool) -> Callable[[World], SubsidyClaim]:
    """3.5b: trainings in 2025 and 2026 (and 2027) before a last one in 2027.

    The plan runs 2025-2027 and 3.5a allows one training a year, so a fourth training inside the programme
    is always also in a year already used: its denial lists 3.5a and 3.5b together (RULES: every rule it fails).
    """
    def journey(world: World) -> SubsidyClaim:
        years = (2025, 2026, 2027) if refiled else (2025, 2026)
        # Electrician levels 5, 4, 3: neither the same level twice (3.5c) nor a higher one held (3.5d).
        classes = [world.occupational(year, 5, level=2030 - year, occupation=ELECTRICIAN) for year in years]
        last = world.occupational(2027, 9)
        serial: int | None = None
        for training in classes[:-1] if refiled else classes:
            chosen = world.enrol(training, serial=serial)
            serial = world.serial
            world.trained(training)
            world.claim(chosen)
        if refiled:
            chosen = world.enrol(classes[-1], serial=serial)
            world.trained(classes[-1])
            final = world.rejected_then_refiled(world.claim(chosen), after=lambda: world.enrol(last, serial=serial))
        else:
            final = world.enrol(last, serial=serial)
        world.trained(last)
        return world.claim(final)
    return journey


def higher_certificate(*, higher: bool) -> Callable[[World], SubsidyClaim]:
    """3.5d: enrolled in a 2026 level-4 class, then certified in a class that ended in 2025 (level 3: held
    on the end date, denied; level 5: lower, granted)."""
    def journey(world: World) -> SubsidyClaim:
        later = world.occupational(2026, 9, level=4)
        earlier = world.occupational(2025, 11, level=3 if higher else 5)
        chosen = world.enrol(later, on=date(2025, 11, 1))
        world.enrol(earlier, serial=world.serial)
        world.trained(earlier)
        world.trained(later)
        return world.claim(chosen)
    return journey


def blacklisted(*, on_end_date: bool) -> Callable[[World], SubsidyClaim]:
    """6d: the city blacklists the institution on the class's last day (listed then: denied) or the day
    after (not listed on the end date: granted)."""
    def journey(world: World) -> SubsidyClaim:
        training = world.occupational(2025, 9)
        chosen = world.enrol(training)
        world.trained(training)
        with frozen_at(training.end_date + timedelta(days=0 if on_end_date else 1)):
            list_institution(world.city, training.institution, "虚假宣传", "南人社罚〔2025〕9号")
        return world.claim(chosen)
    return journey


@dataclass(frozen=True)
class RuleCase:
    grant: Callable[[World], SubsidyClaim]
    denial: Callable[[World], SubsidyClaim]
    # Why no online path can carry a failing case to the engine (the denial is then asserted at input),
    # and the refusal's code there when it is not the rule ID itself.
    refused_at_input: str = ""
    input_code: str = ""


def invalid_id_number(world: World) -> SubsidyClaim:
    training = world.occupational(2025, 9)
    valid = number(99)
    with frozen_at(training.start_date):
        enrol_person(world.school, training, id_number=valid[:17] + ("0" if valid[17] != "0" else "1"),
                     name="学员", category="other")
    return world.trainee_journey(training)


def _year_class(year: int, **fields: Any) -> Callable[[World], TrainingClass]:
    return lambda world: world.occupational(year, 5 if year == 2025 else 9, **fields)


def _project_classes() -> tuple[Callable[[World], TrainingClass], Callable[[World], TrainingClass]]:
    """Two classes of one project, in 2025 and 2026 (5.2d: one project, one subsidy)."""
    shared: dict[int, Any] = {}

    def first(world: World) -> TrainingClass:
        training = world.project_class(2025, 5)
        shared[id(world)] = training.project
        return training

    return first, lambda world: world.project_class(2026, 9, shared[id(world)])


SAME_PROJECT = _project_classes()

CASES: dict[str, RuleCase] = {
    "data.id": RuleCase(plain, invalid_id_number, input_code="invalid_id_number", refused_at_input=(
        "GB 11643 is checked when a person is enrolled or registered (check_id_number): a claim always carries "
        "a valid number")),
    "data.dates": RuleCase(with_proof_dated(0), with_proof_dated(1)),
    "5.1": RuleCase(plain, failed_occupational),
    "5.2b": RuleCase(project_journey(), project_journey(passed=False)),
    "3.2": RuleCase(special_ability(28), special_ability(27), refused_at_input=(
        "a special-ability class under 28 hours is refused at approval (approve_class, and the class constraint)")),
    "3.3": RuleCase(iyb(licensed=True), iyb(licensed=False), refused_at_input=(
        "enrolment asks the engine: an IYB/EYB trainee without a licence is refused before training, by 3.3")),
    "3.4e": RuleCase(project_journey(), project_journey(relation=ApplicantRelation.NONE), refused_at_input=(
        "a project class enrols only the applicant's employees or prospective hires (link_refusal, 3.4e)")),
    "3.6": RuleCase(project_journey(), project_journey(advanced_by_applicant=True)),
    "5.2a": RuleCase(project_journey(), lambda world: world.trainee_journey(world.occupational(2025, 9), SA)),
    "5.3": RuleCase(unemployment_insurance(receiving=True), unemployment_insurance(receiving=False)),
    "3.5a": RuleCase(earlier_then_later(earlier=_year_class(2025), later=_year_class(2026, occupation=ELECTRICIAN),
                                        refiled=False),
                     earlier_then_later(earlier=_year_class(2025), later=lambda world: world.occupational(
                         2025, 9, occupation=ELECTRICIAN), refiled=True)),
    "3.5b": RuleCase(three_earlier(refiled=False), three_earlier(refiled=True)),
    "3.5c": RuleCase(earlier_then_later(earlier=_year_class(2025, level=5), later=_year_class(2026), refiled=False),
                     earlier_then_later(earlier=_year_class(2025), later=_year_class(2026), refiled=True)),
    "3.5d": RuleCase(higher_certificate(higher=False), higher_certificate(higher=True)),
    "5.2d": RuleCase(earlier_then_later(earlier=lambda world: world.project_class(2025, 5),
                                        later=lambda world: world.project_class(2026, 9), refiled=False,
                                        category="enterprise_employee", relation=ApplicantRelation.EMPLOYEE),
                     earlier_then_later(earlier=SAME_PROJECT[0], later=SAME_PROJECT[1], refiled=True,
                                        category="enterprise_employee", relation=ApplicantRelation.EMPLOYEE),
                     refused_at_input=(
                         "the database keeps one counting project claim per person and project (UNIQUE person, "
                         "project), so a second one is refused when it is filed, by 5.2d; enrolment in a second "
                         "class of a project already claimed is refused by the engine's 5.2d too (test below)")),
    "6d": RuleCase(blacklisted(on_end_date=False), blacklisted(on_end_date=True)),
}


def test_every_rule_of_the_engine_has_a_case() -> None:
    """A new rule in the engine without a journey here fails this test."""
    assert set(CASES) == set(ALL_RULES) == set(engine.RULE_IDS)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_a_journey_through_the_services_is_granted(world: World, rule_id: str) -> None:
    claim = outcome(CASES[rule_id].grant, world)
    assert isinstance(claim, SubsidyClaim), claim
    assert granted(claim), f"{rule_id}: {claim.denied_by}"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_a_journey_through_the_services_is_denied_by_the_rule(world: World, rule_id: str) -> None:
    case = CASES[rule_id]
    result = outcome(case.denial, world)
    if case.refused_at_input:
        assert isinstance(result, Refused), f"{rule_id} should be refused at input: {case.refused_at_input}"
        assert (case.input_code or rule_id) in result.codes, result
        return
    assert isinstance(result, SubsidyClaim), result
    assert not result.eligible and rule_id in denied_by(result), f"{rule_id}: {result.denied_by}"


def test_a_second_training_of_one_project_is_refused_at_enrolment_by_5_2d(world: World) -> None:
    journey = earlier_then_later(earlier=SAME_PROJECT[0], later=SAME_PROJECT[1], refiled=False,
                                 category="enterprise_employee", relation=ApplicantRelation.EMPLOYEE)
    assert outcome(journey, world) == Refused("input", frozenset({"5.2d"}))


# ---------------------------------------------------------------- the money: paid online

def test_a_benefit_recipient_is_paid_from_the_unemployment_insurance_fund(world: World) -> None:
    claim = world.pay(unemployment_insurance(receiving=True)(world))
    assert (claim.status, claim.fund, claim.total_amount) == (ClaimStatus.PAID, UI, Decimal("1100.00"))
    assert claim.receiving_unemployment_benefit and claim.enrolment.benefit_evidence_date == BENEFIT.benefit_evidence_date


def keyed(api: Api, path: str, body: dict[str, Any]) -> Any:
    """A POST that moves money carries an Idempotency-Key."""
    return api.client.post(f"/api/v1{path}", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=path,
                           **api.headers)


def test_a_benefit_recipient_is_paid_through_the_api(world: World) -> None:
    """The same journey by API clients only: the institution's token, then the city's."""
    school, city = Api(world.school), Api(world.city)
    training = world.occupational(2025, 9, class_hours=20)
    world.fund(UI, 2025)
    evidence = {"receiving_unemployment_benefit": True, "benefit_evidence": BENEFIT.benefit_evidence,
                "benefit_evidence_date": BENEFIT.benefit_evidence_date.isoformat()}
    with frozen_at(training.start_date):
        enrolled = school.post(f"/classes/{training.pk}/enrolments", {
            "id_number": number(1), "name": "学员1", "category": "registered_unemployed", **evidence})
        assert enrolled.status_code == 201, enrolled.json()
        assert enrolled.json()["receiving_unemployment_benefit"] is True
        enrolment = enrolled.json()["id"]
        marks = {"session_date": training.start_date.isoformat(),
                 "marks": [{"enrolment_id": enrolment, "present": True, "hours": "20"}]}
        assert school.post(f"/classes/{training.pk}/attendance", marks).status_code == 200
    with frozen_at(training.end_date):
        assert school.post(f"/classes/{training.pk}/finish").status_code == 200
        results = {"rows": [{"enrolment_id": enrolment, "passed": True, "score": "88"}],
                   "evaluator": "南宁市职业技能鉴定中心"}
        assert school.post(f"/results/{training.pk}", results).status_code == 200
        issued = school.post(f"/certificates/issue/{training.pk}", {"issuer": "南宁市人力资源和社会保障局"})
        assert issued.status_code == 201, issued.json()
    uscc = world.institution.uscc
    with frozen_at(training.end_date + timedelta(days=10)):
        filed = keyed(school, "/claims", {"enrolment_id": enrolment, "fund": UI, "advanced_by": "institution",
                                          "advanced_by_ref": uscc, "claimant": "institution", "claimant_ref": uscc})
        assert filed.status_code == 201, filed.json()
        number_ = filed.json()["number"]
    with frozen_at(training.end_date + timedelta(days=20)):
        assert keyed(city, f"/claims/{number_}/review", {"action": "approve", "note": "材料齐全"}).status_code == 200
        paid = keyed(city, "/payments/batches", {"claim_numbers": [number_]})
        assert paid.status_code == 201, paid.json()
    claim = SubsidyClaim.objects.get(number=number_)
    assert (claim.status, claim.fund, claim.total_amount) == (ClaimStatus.PAID, UI, Decimal("1100.00"))


def test_an_iyb_trainee_with_a_licence_is_paid_and_one_without_is_denied_by_3_3(world: World) -> None:
    claim = world.pay(iyb(licensed=True)(world))
    assert claim.status == ClaimStatus.PAID and claim.has_business_licence and claim.total_amount > 0
    refused = outcome(iyb(licensed=False), world)
    assert isinstance(refused, Refused) and "3.3" in refused.codes


# ---------------------------------------------------------------- the mutation check

@contextmanager
def always_denying(rule_id: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The engine with one rule's condition replaced by "always deny" (restored on exit)."""
    true: Callable[[], pl.Expr] = lambda: pl.lit(True)  # noqa: E731
    with monkeypatch.context() as patch:
        if rule_id in {rule.id for rule in CLAIM_RULES}:
            patch.setattr(engine, "CLAIM_RULES", tuple(
                dataclasses.replace(rule, fails=lambda as_of, plan: pl.lit(True)) if rule.id == rule_id else rule
                for rule in CLAIM_RULES))
        elif rule_id in {rule.id for rule in LIMIT_RULES}:
            # Any earlier record of the person trips it (each limit journey has history to trip on).
            patch.setattr(engine, "LIMIT_RULES", tuple(
                dataclasses.replace(rule, matches=(LimitMatch(true, true, ("person",), true),))
                if rule.id == rule_id else rule for rule in LIMIT_RULES))
        elif rule_id == engine.COUNT_RULE.id:
            patch.setattr(engine, "MAX_COUNTED_TRAININGS", 0)
        elif rule_id == engine.BLACKLIST_RULE.id:
            listed = engine._with_blacklist
            patch.setattr(engine, "_with_blacklist", lambda frame, history, trace: listed(frame, history, trace)
                          .with_columns(pl.lit(True).alias("f_6d")))
        else:
            raise AssertionError(f"no way to turn {rule_id} into 'always deny': extend always_denying")
        yield


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_turning_a_rule_to_always_deny_denies_its_grant_journey(world: World, rule_id: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with always_denying(rule_id, monkeypatch):
        result = outcome(CASES[rule_id].grant, world)
    assert (engine.CLAIM_RULES, engine.LIMIT_RULES, engine.MAX_COUNTED_TRAININGS) == (CLAIM_RULES, LIMIT_RULES, 3)
    if isinstance(result, Refused):
        assert rule_id in result.codes, result  # enrolment asks the same engine
    else:
        assert not result.eligible and rule_id in denied_by(result), f"{rule_id}: {result.denied_by}"
