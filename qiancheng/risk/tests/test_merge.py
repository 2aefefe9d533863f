"""A confirmed same-person match merges the two ID numbers' histories for the engine (3.5), and an undo parts them.

Three trainings are held under ID A and a fourth is claimed under ID B: granted while they are two people, denied
by 3.5b (三次) once an official confirms they are one, with both ID numbers named, and granted again after the
merge is undone by a decision with a reason.
"""

from __future__ import annotations

import pytest
from django.test import Client

from qiancheng.accounts.models import AuditEntry
from qiancheng.funding.services.claims import decide
from qiancheng.funding.services.stored_explain import explain_stored_claim
from qiancheng.people import links
from qiancheng.people.models import PersonLink
from qiancheng.providers.tests.test_institution_api import Api
from qiancheng.risk import services
from qiancheng.risk.models import CandidateStatus
from qiancheng.risk.tests.merging import one_person_two_numbers
from qiancheng.training.services.entitlement import remaining_entitlement

pytestmark = pytest.mark.django_db


def _decided(claim) -> tuple[bool, str]:
    decide(None, type(claim).objects.filter(pk=claim.pk), None)
    claim.refresh_from_db()
    return claim.eligible, claim.denied_by


def _causes_of(explanation, rule_id: str) -> list[str]:
    (rule,) = [rule for rule in explanation.rules if rule.rule_id == rule_id]
    return [cause.description for cause in rule.causes]


def test_the_fourth_training_under_another_number_is_denied_after_confirm_and_granted_after_undo(
        nanning_official) -> None:
    pair = one_person_two_numbers()
    assert _decided(pair.fourth) == (True, "")  # two people: the second ID number has no training yet
    # The lifelong record's count: each number's own pending claims.
    assert remaining_entitlement(pair.second.pk, pair.second.county_code).counted == 1
    assert remaining_entitlement(pair.first.pk, pair.first.county_code).counted == 3

    confirmed = services.decide_candidate(nanning_official, pair.candidate, True, "户籍核实：同一人，身份证号录错")
    link = confirmed.link
    assert confirmed.status == CandidateStatus.CONFIRMED and link.in_force and link.linked_by == nanning_official
    assert link.reason == "户籍核实：同一人，身份证号录错" and link.source == f"risk.linkcandidate:{confirmed.pk}"
    # The confirmation decides the undecided claims of both numbers again: the fourth is now the fourth.
    pair.fourth.refresh_from_db()
    assert (pair.fourth.eligible, pair.fourth.denied_by) == (False, "3.5b")
    assert remaining_entitlement(pair.second.pk, pair.second.county_code).counted == 4
    assert remaining_entitlement(pair.first.pk, pair.first.county_code).left_in_programme == 0

    explanation = explain_stored_claim(nanning_official, pair.fourth)
    assert explanation.facts["person"] == pair.second.id_number_masked  # the claim's own number
    causes = _causes_of(explanation, "3.5b")
    assert len(causes) == 3
    assert all(f"记于另一身份证号 held under the other ID number {pair.first.id_number_masked}" in each
               for each in causes)  # the earlier trainings, named under the other number, masked

    undone = services.undo_candidate(nanning_official, confirmed, "复核：两人为双胞胎，不是同一人")
    assert undone.status == CandidateStatus.UNDONE
    link.refresh_from_db()
    assert not link.in_force and link.undone_by == nanning_official and link.undo_reason.startswith("复核")
    pair.fourth.refresh_from_db()
    assert (pair.fourth.eligible, pair.fourth.denied_by) == (True, "")
    assert _causes_of(explain_stored_claim(nanning_official, pair.fourth), "3.5b") == []
    assert list(AuditEntry.objects.filter(target_model="people.personlink").values_list("action", flat=True)
                .order_by("seq")) == ["person.linked", "person.link_undone"]
    assert AuditEntry.objects.filter(action="risk.link_candidate_undone", reason__startswith="复核").exists()


def test_an_undo_needs_a_reason_and_a_confirmed_merge(nanning_official) -> None:
    pair = one_person_two_numbers()
    with pytest.raises(services.RiskRefused) as pending:
        services.undo_candidate(nanning_official, pair.candidate, "还没有确认")
    assert pending.value.status == 409
    confirmed = services.decide_candidate(nanning_official, pair.candidate, True, "同一人")
    with pytest.raises(services.RiskRefused) as no_reason:
        services.undo_candidate(nanning_official, confirmed, "  ")
    assert no_reason.value.code == "reason_required"
    services.undo_candidate(nanning_official, confirmed, "复核不是同一人")
    with pytest.raises(services.RiskRefused) as twice:
        services.undo_candidate(nanning_official, confirmed, "再撤一次")
    assert twice.value.status == 409
    assert PersonLink.objects.count() == 1  # the row stays, with both decisions


def test_an_official_of_another_city_cannot_confirm_or_undo(nanning_official, liuzhou_official) -> None:
    pair = one_person_two_numbers()
    with pytest.raises(services.RiskRefused) as confirm:
        services.decide_candidate(liuzhou_official, pair.candidate, True, "越权")
    assert confirm.value.status == 403 and not PersonLink.objects.exists()
    confirmed = services.decide_candidate(nanning_official, pair.candidate, True, "同一人")
    with pytest.raises(services.RiskRefused) as undo:
        services.undo_candidate(liuzhou_official, confirmed, "越权")
    assert undo.value.status == 403 and confirmed.link.in_force

    other = Api(liuzhou_official)
    path = f"/api/v1/risk/candidates/{confirmed.pk}/undo"
    answer = other.client.post(path, {"reason": "越权"}, content_type="application/json", **other.headers)
    assert answer.status_code == 404  # not yours looks like not there
    city = Api(nanning_official)
    no_reason = city.client.post(path, {}, content_type="application/json", **city.headers)
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    undone = city.client.post(path, {"reason": "复核不是同一人"}, content_type="application/json", **city.headers)
    assert undone.status_code == 200, undone.content
    assert undone.json()["status"] == "undone" and undone.json()["merged"] is False
    assert undone.json()["undone_on"] and undone.json()["linked_on"]


def test_the_pages_confirm_and_undo_and_hide_another_citys_candidate(nanning_official, liuzhou_official,
                                                                     login) -> None:
    pair = one_person_two_numbers()
    city, other = login(Client(), nanning_official), login(Client(), liuzhou_official)
    decide_path, undo_path = (f"/risk/candidates/{pair.candidate.pk}/{what}/" for what in ("decide", "undo"))
    assert other.post(decide_path, {"decision": "confirm", "reason": "越权"}).status_code == 404
    city.post(decide_path, {"decision": "confirm", "reason": "同一人"})
    page = city.get("/risk/").content.decode()
    assert 'data-testid="undo-merge"' in page and "合并计算补贴次数" in page
    assert other.post(undo_path, {"reason": "越权"}).status_code == 404
    city.post(undo_path, {"reason": ""})  # no reason: refused, nothing changes
    pair.candidate.refresh_from_db()
    assert pair.candidate.status == CandidateStatus.CONFIRMED
    city.post(undo_path, {"reason": "复核不是同一人"})
    pair.candidate.refresh_from_db()
    assert pair.candidate.status == CandidateStatus.UNDONE


def test_clusters_join_chains_and_decide_under_the_key_asked_about(nanning_official) -> None:
    one, two = one_person_two_numbers(1), one_person_two_numbers(2)
    links.link_persons(nanning_official, one.first, one.second, "同一人", source="test")
    links.link_persons(nanning_official, one.second, two.first, "同一人", source="test")
    keys = {one.first.pk, one.second.pk, two.first.pk}
    assert set(links.clusters([one.first.pk])) == keys and two.second.pk not in links.clusters(None)
    assert links.canonical_key(two.first.pk) == min(keys)
    assert set(links.decided_as({one.second.pk}).values()) == {one.second.pk}
    with pytest.raises(Exception, match="already linked"):
        links.link_persons(nanning_official, one.second, one.first, "再次", source="test")
