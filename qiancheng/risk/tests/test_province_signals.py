"""The whole-province signals (shared bank account, linked employer, outlier rate, collusion ring): each
finds what is planted and stays quiet on the near miss beside it."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from qiancheng.funding.models import ProofKind
from qiancheng.risk import parameters, services, signals
from qiancheng.risk.models import Signal
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _found(code: str) -> list[Signal]:
    services.run_signals(None, [code])
    return list(Signal.objects.filter(rule=code))


def _people(found: Signal) -> set[str]:
    return {record["pk"] for record in found.records if record["model"] == "people.person"}


def test_one_bank_account_behind_three_trainees_of_one_institution() -> None:
    training = builders.training_class()
    planted = [builders.person(name=f"梁{index}", bank_account="6217000011112222") for index in range(3)]
    for trainee in planted:
        builders.enrolment(training, trainee)
    # near misses: a couple at one institution; three people on one account at three institutions
    couple = builders.training_class()
    for name in ("黄甲", "黄乙"):
        builders.enrolment(couple, builders.person(name=name, bank_account="6217000033334444"))
    for name in ("莫一", "莫二", "莫三"):
        builders.enrolment(builders.training_class(), builders.person(name=name, bank_account="6217000055556666"))
    found = _found("shared_bank_account")
    assert len(found) == 1 and found[0].clause == "6d" and found[0].institution_id == training.institution_id
    assert _people(found[0]) == {person.pk for person in planted} and "3名" in found[0].summary
    assert found[0].parameters["shared_bank_min_trainees"]["value"] == "3"
    assert "6217000011112222" not in str(found[0].records) + found[0].summary


def _class_with_proofs(count: int, employer_uscc: str, **institution: str) -> object:
    training = builders.training_class(institution=builders.institution(**institution))
    for index in range(count):
        enrolment = builders.enrolment(training, builders.person(name=f"覃{index}"))
        builders.subsidy_claim(enrolment, f"C-{training.pk}-{index}", employer_uscc=employer_uscc,
                               employment_proof_kind=ProofKind.LABOUR_CONTRACT,
                               employment_proof_date=date(2026, 1, 10))
    return training


def test_a_whole_class_employed_by_an_employer_tied_to_the_institution() -> None:
    linked = builders.enterprise(legal_representative="韦国强", phone="0771-5550001", address="南宁市民族大道1号")
    planted = _class_with_proofs(5, linked.uscc, legal_representative="韦国强")
    by_phone = builders.enterprise(phone="0771 555 0002")
    phoned = _class_with_proofs(6, by_phone.uscc, phone="0771-5550002")
    # near misses: an employer with no tie hiring a whole class (订单式培训); a tied employer with 4 proofs
    _class_with_proofs(5, builders.enterprise(legal_representative="陆明").uscc, legal_representative="蓝天")
    _class_with_proofs(4, builders.enterprise(address="柳州市友爱路2号").uscc, address="柳州市友爱路2号")
    found = _found("linked_employer")
    classes = {record["pk"] for signal in found for record in signal.records if record["model"] == "training.trainingclass"}
    assert classes == {planted.pk, phoned.pk}
    summaries = {signal.institution_id: signal.summary for signal in found}
    assert "同一法定代表人" in summaries[planted.institution_id]
    assert "同一联系电话" in summaries[phoned.institution_id]
    assert {"model": "demand.enterprise", "pk": linked.pk} in next(
        signal.records for signal in found if signal.institution_id == planted.institution_id)


def test_the_robust_z_score_marks_the_rate_far_above_its_peers_only() -> None:
    rates = [0.60, 0.62, 0.65, 0.58, 0.61, 0.63, 0.64, 0.66, 0.97]
    frame = pl.DataFrame({"measure": "pass", "peer_group": "occupational", "institution_id": range(len(rates)),
                          "trainees": [50] * len(rates), "rate": rates})
    outliers = signals.rate_outliers(frame, 20, 3.5)
    assert outliers["institution_id"].to_list() == [8]  # 0.66 is the highest honest rate: z about 1.2
    assert outliers["z"][0] > 10 and outliers["peer_median"][0] == pytest.approx(0.63)
    too_few = frame.with_columns(pl.when(pl.col("institution_id") == 8).then(19).otherwise(50).alias("trainees"))
    assert signals.rate_outliers(too_few, 20, 3.5).is_empty()


def test_an_institution_whose_every_trainee_finds_work(monkeypatch: pytest.MonkeyPatch) -> None:
    least = parameters.Parameter("outlier_rate_min_trainees", date(2025, 1, 2), 4, parameters.LOCAL_PRACTICE,
                                 date(2026, 12, 6))
    monkeypatch.setattr(parameters, "PARAMETERS", (*parameters.PARAMETERS, least))
    employer = builders.enterprise()
    institutions = []
    for employed in (1, 1, 1, 1, 1, 2, 4):
        training = builders.training_class()
        institutions.append(training.institution)
        for index in range(4):
            enrolment = builders.enrolment(training, builders.person(name=f"蒙{index}"))
            proof = {"employer_uscc": employer.uscc, "employment_proof_kind": ProofKind.WAGE_STATEMENT,
                     "employment_proof_date": date(2026, 1, 5)} if index < employed else {}
            builders.subsidy_claim(enrolment, f"O-{training.pk}-{index}", **proof)
    # near miss: every trainee employed, but only three of them: too few to judge
    small = builders.training_class()
    for index in range(3):
        builders.subsidy_claim(builders.enrolment(small, builders.person(name=f"农{index}")), f"S-{index}",
                               employer_uscc=employer.uscc, employment_proof_kind=ProofKind.WAGE_STATEMENT,
                               employment_proof_date=date(2026, 1, 5))
    found = _found("outlier_rate")
    assert [signal.institution_id for signal in found] == [institutions[-1].pk]
    assert "就业率100%" in found[0].summary and "中位数" in found[0].summary
    assert found[0].parameters["outlier_rate_min_z"]["value"] == "3.5"


def test_connected_components_join_members_through_shared_values() -> None:
    edges = pl.DataFrame({"node": ["a", "b", "b", "c", "d", "e"], "attr": ["x", "x", "y", "y", "z", "w"]})
    members = dict(signals.components(edges).iter_rows())
    assert members == {"a": "a", "b": "a", "c": "a"}  # d and e share nothing with anyone


def test_a_ring_of_an_institution_two_enterprises_and_trainees() -> None:
    institution = builders.institution(legal_representative="罗志明", phone="0771-5551000", address="南宁市桂春路8号")
    first = builders.enterprise(legal_representative="罗志明", phone="0771-5552000")
    second = builders.enterprise(phone="0771-5552000")
    one = builders.person(name="甲", phone="07715551000", bank_account="6217000077778888")
    two = builders.person(name="乙", bank_account="6217000077778888")
    three = builders.person(name="丙", phone="0771-5552000")
    # near misses: the same chain one member short; a family of seven on one phone, no organisation
    short = builders.institution(legal_representative="廖红", phone="0771-5553000")
    builders.enterprise(legal_representative="廖红", phone="0771-5554000")
    builders.enterprise(phone="0771-5554000")
    builders.person(name="丁", phone="0771-5553000")
    for index in range(7):
        builders.person(name=f"家{index}", phone="13900007777")
    found = _found("collusion_ring")
    assert len(found) == 1 and found[0].clause == "6d" and found[0].institution_id == institution.pk
    records = {(record["model"], record["pk"]) for record in found[0].records}
    assert records == {("providers.institution", institution.pk), ("demand.enterprise", first.pk),
                       ("demand.enterprise", second.pk), ("people.person", one.pk), ("people.person", two.pk),
                       ("people.person", three.pk)}
    assert "1家机构、2家企业、3名人员" in found[0].summary and "法定代表人" in found[0].summary
    assert short.pk not in {record["pk"] for record in found[0].records if record["model"] == "providers.institution"}
