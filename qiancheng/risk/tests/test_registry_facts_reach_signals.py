"""The registry facts an institution and an enterprise state themselves (registration, the API, their own
forms) are what risk's rules compare: linked_employer and collusion_ring find what they join (6d)."""

from __future__ import annotations

from datetime import date

import pytest

from qiancheng.accounts.models import Role, User
from qiancheng.demand import services as demand
from qiancheng.demand.tests.support import valid_uscc
from qiancheng.funding.models import ProofKind
from qiancheng.providers import services as providers
from qiancheng.providers.tests.test_institution_api import Api
from qiancheng.risk import services
from qiancheng.risk.models import Signal
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_a_legal_representative_given_at_registration_ties_the_employer_to_the_institution(nanning_official) -> None:
    created = Api(nanning_official).post("", {
        "name": "南宁市精工职业培训学校", "uscc": "91450100MA5K12340N", "kind": "private_school", "city_code": "450100",
        "address": "南宁市民族大道1号", "legal_representative": "韦国强", "phone": "0771-5550001"})
    assert created.status_code == 201, created.json()
    institution = providers.Institution.objects.get(pk=created.json()["id"])
    employer = demand.register_enterprise(None, name="南宁精工制造有限公司", uscc=valid_uscc(3), city=institution.city,
                                          legal_representative="韦国强", phone="0771-5559999", address="南宁市友爱路2号")
    training = builders.training_class(institution=institution)
    for index in range(5):
        builders.subsidy_claim(builders.enrolment(training, builders.person(name=f"覃{index}")), f"R-{index}",
                               employer_uscc=employer.uscc, employment_proof_kind=ProofKind.LABOUR_CONTRACT,
                               employment_proof_date=date(2026, 1, 10))
    services.run_signals(None, ["linked_employer"])
    (found,) = Signal.objects.filter(rule="linked_employer")
    assert found.institution_id == institution.pk and "同一法定代表人" in found.summary
    assert {"model": "demand.enterprise", "pk": employer.pk} in found.records


def test_phones_and_a_representative_updated_on_the_forms_join_a_ring() -> None:
    account = providers.register_institution_with_account(
        None, username="ring-school", password="a-long-enough-secret-2025", name="南宁市环城培训学校",
        uscc="91450100MA5K12340N", kind="private_school", city=builders.city(), legal_representative="罗志明",
        phone="0771-5551000", address="南宁市桂春路8号")
    institution = account.institution
    first = demand.register_enterprise(None, name="甲企业", uscc=valid_uscc(4), city=institution.city)
    second = demand.register_enterprise(None, name="乙企业", uscc=valid_uscc(5), city=institution.city,
                                        phone="0771-5552000")
    # the first enterprise states its facts later, on its own form: the institution's representative, the second's phone
    user = User.objects.create(username="ring-enterprise", role=Role.ENTERPRISE, enterprise=first)
    demand.update_enterprise_facts(user, first, legal_representative="罗志明", phone="0771-5552000")
    for name, phone in (("甲", "07715551000"), ("乙", None), ("丙", "0771-5552000")):
        builders.person(name=name, phone=phone, bank_account="6217000077778888" if name in "甲乙" else None)
    services.run_signals(None, ["collusion_ring"])
    (found,) = Signal.objects.filter(rule="collusion_ring")
    records = {(record["model"], record["pk"]) for record in found.records}
    assert {("providers.institution", institution.pk), ("demand.enterprise", first.pk),
            ("demand.enterprise", second.pk)} <= records
    assert "法定代表人" in found.summary and "电话" in found.summary
