"""Cases: opened on a city's signals, noted, closed by the real recovery and listing services; audited."""

from __future__ import annotations

from datetime import date

import pytest

from qiancheng.accounts.models import AuditEntry
from qiancheng.funding.models import ClaimStatus, RecoveryCase
from qiancheng.providers.models import Institution, InstitutionStatus
from qiancheng.risk import services
from qiancheng.risk.models import CaseOutcome, CaseStatus, Signal, SignalStatus
from qiancheng.risk.tests import records
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.sanctions.services import person_listed
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def _overlap_signal() -> Signal:
    one, two = records.two_classes((date(2025, 9, 1), date(2025, 9, 30)), (date(2025, 9, 20), date(2025, 10, 20)))
    trainee = builders.person(name="覃重叠")
    builders.enrolment(one, trainee)
    builders.enrolment(two, trainee)
    services.run_signals(None, ["trainee_overlap"])
    return Signal.objects.get()


def test_a_case_closed_with_a_recovery_opens_it_in_funding(province_official, nanning_official) -> None:
    from qiancheng.funding.tests.money import funded, paid_claim

    claim = paid_claim(nanning_official, funded(province_official, "100000.00"))
    BlacklistEntry.objects.create(person=claim.person, listed_from=date(2025, 9, 10), reason="骗取补贴",
                                  created_by=nanning_official)
    services.run_signals(None, ["claim_for_listed"])
    signal = Signal.objects.get()
    case = services.open_case(nanning_official, "黑名单人员申领", [signal.pk])
    assert Signal.objects.get().status == SignalStatus.IN_CASE and case.city_id == "450100"
    services.add_note(nanning_official, case, "已调取支付凭证")
    closed = services.close_case(nanning_official, case, CaseOutcome.RECOVERY, "在黑名单期间申领", claim=claim,
                                 document_ref="南人社处〔2026〕9号")
    assert closed.status == CaseStatus.CLOSED and closed.recovery == RecoveryCase.objects.get(claim=claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RECOVERED and Signal.objects.get().status == SignalStatus.CLOSED
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"risk.case_opened", "risk.case_noted", "risk.case_closed", "recovery.opened"} <= actions
    with pytest.raises(services.RiskRefused):
        services.add_note(nanning_official, closed, "结案后")


def test_a_case_closed_with_a_listing_writes_the_register(nanning_official) -> None:
    signal = _overlap_signal()
    case = services.open_case(nanning_official, "重叠参训", [signal.pk])
    closed = services.close_case(nanning_official, case, CaseOutcome.LISTING, "冒名参训", person=signal.person)
    assert closed.listing.person_id == signal.person_id and person_listed(signal.person_id, closed.listing.listed_from)

    institution_signal = _institution_case(nanning_official)
    assert Institution.objects.get(pk=institution_signal.pk).status == InstitutionStatus.BLACKLISTED


def _institution_case(official) -> Institution:
    number = builders.id_number(county="450103")
    one, two = records.two_classes((date(2025, 9, 1), date(2025, 9, 30)), (date(2025, 9, 5), date(2025, 9, 25)))
    one.teachers.add(records.teacher(one.institution, number))
    two.teachers.add(records.teacher(two.institution, number))
    services.run_signals(None, ["teacher_overlap"])
    signal = Signal.objects.filter(rule="teacher_overlap").first()
    case = services.open_case(official, "转包", [signal.pk])
    services.close_case(official, case, CaseOutcome.LISTING, "转包培训", institution=signal.institution)
    return signal.institution


def test_no_finding_and_the_refusals(nanning_official, liuzhou_official, province_official) -> None:
    signal = _overlap_signal()
    with pytest.raises(services.RiskRefused) as other_city:
        services.open_case(liuzhou_official, "越权", [signal.pk])
    assert other_city.value.status == 404
    with pytest.raises(services.RiskRefused) as province:
        services.open_case(province_official, "自治区", [signal.pk])
    assert province.value.status == 403
    case = services.open_case(nanning_official, "重叠参训", [signal.pk])
    with pytest.raises(services.RiskRefused) as twice:
        services.open_case(nanning_official, "再次", [signal.pk])
    assert twice.value.code == "already_in_case"
    with pytest.raises(services.RiskRefused) as no_reason:
        services.close_case(nanning_official, case, CaseOutcome.NO_FINDING, " ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(services.RiskRefused) as no_claim:
        services.close_case(nanning_official, case, CaseOutcome.RECOVERY, "追回")
    assert no_claim.value.code == "claim_required" and services.Case.objects.get().status == CaseStatus.OPEN
    closed = services.close_case(nanning_official, case, CaseOutcome.NO_FINDING, "课程为上下午分时段")
    assert closed.outcome == CaseOutcome.NO_FINDING and closed.recovery is None and closed.listing is None
