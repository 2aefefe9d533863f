"""Cases: opened on a city's signals, noted, decided with one or more measures through their owners' services
(funding's recovery, providers' suspension, the sanctions register), a referral with its number and date, a
public notice without personal data, a listing lifted by a later decision; every step audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qiancheng.accounts.models import AuditEntry
from qiancheng.clock import frozen_at
from qiancheng.funding.models import ClaimStatus, RecoveryCase
from qiancheng.providers.models import Institution, InstitutionStatus
from qiancheng.risk import cases, services
from qiancheng.risk.cases import Measure
from qiancheng.risk.models import Case, CaseStatus, MeasureKind, Signal, SignalStatus
from qiancheng.risk.tests import records
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.sanctions.services import institution_listed, person_listed
from qiancheng.training.models import Enrolment
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db
DAY = date(2025, 10, 15)


def _overlap_signal() -> Signal:
    one, two = records.two_classes((date(2025, 9, 1), date(2025, 9, 30)), (date(2025, 9, 20), date(2025, 10, 20)))
    trainee = builders.person(name="覃重叠")
    builders.enrolment(one, trainee)
    builders.enrolment(two, trainee)
    services.run_signals(None, ["trainee_overlap"])
    return Signal.objects.get()


def test_a_decision_recovers_the_money_through_funding(province_official, nanning_official) -> None:
    from qiancheng.funding.tests.money import funded, paid_claim

    claim = paid_claim(nanning_official, funded(province_official, "100000.00"))
    BlacklistEntry.objects.create(person=claim.person, listed_from=date(2025, 9, 10), reason="骗取补贴",
                                  created_by=nanning_official)
    services.run_signals(None, ["claim_for_listed"])
    signal = Signal.objects.get()
    case = cases.open_case(nanning_official, "黑名单人员申领", [signal.pk])
    assert Signal.objects.get().status == SignalStatus.IN_CASE and case.city_id == "450100"
    cases.add_note(nanning_official, case, "已调取支付凭证")
    decision = cases.decide_case(nanning_official, case, "在黑名单期间申领", [Measure(MeasureKind.RECOVERY, claim=claim)],
                                 document_ref="南人社处〔2026〕9号")
    (measure,) = decision.measures.all()
    assert measure.recovery == RecoveryCase.objects.get(claim=claim) and decision.closes_case
    claim.refresh_from_db()
    case.refresh_from_db()
    assert claim.status == ClaimStatus.RECOVERED and Signal.objects.get().status == SignalStatus.CLOSED
    assert case.status == CaseStatus.CLOSED and case.closed_by == nanning_official
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"risk.case_opened", "risk.case_noted", "risk.case_decided", "risk.case_closed", "recovery.opened"} <= actions
    with pytest.raises(services.RiskRefused):
        cases.add_note(nanning_official, case, "结案后")


def test_one_decision_suspends_lists_refers_and_publishes(nanning_official, client) -> None:
    signal = _overlap_signal()
    institution = Enrolment.objects.filter(person=signal.person).first().training_class.institution
    Institution.objects.filter(pk=institution.pk).update(status=InstitutionStatus.APPROVED)
    case = cases.open_case(nanning_official, "冒名参训", [signal.pk])
    with frozen_at(DAY):
        # Suspension first, while the inquiry goes on; the case stays open.
        cases.decide_case(nanning_official, case, "调查期间暂停", [Measure(MeasureKind.SUSPENSION, institution=institution)],
                          document_ref="南人社暂〔2025〕3号", close=False)
        assert Institution.objects.get(pk=institution.pk).status == InstitutionStatus.SUSPENDED
        decision = cases.decide_case(nanning_official, case, "虚构学员骗取补贴", [
            Measure(MeasureKind.INSTITUTION_LISTING, institution=institution, listed_from=DAY + timedelta(days=1)),
            Measure(MeasureKind.PERSON_LISTING, person=signal.person),
            Measure(MeasureKind.REFERRAL, institution=institution, referral_document_ref="南人社移〔2025〕1号",
                    referral_date=DAY, referred_to="南宁市公安局"),
            Measure(MeasureKind.PUBLIC_NOTICE, institution=institution),
        ], document_ref="南人社处〔2025〕12号")
    kinds = [row.kind for row in decision.measures.all()]
    assert kinds == ["institution_listing", "person_listing", "referral", "public_notice"]
    assert not institution_listed(institution.pk, DAY) and institution_listed(institution.pk, DAY + timedelta(days=1))
    assert person_listed(signal.person_id, DAY)
    referral = decision.measures.get(kind="referral")
    assert (referral.referral_document_ref, referral.referral_date) == ("南人社移〔2025〕1号", DAY)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert [item.kind for item in cases.timeline(case)] == ["opened", "decision", "decision"]

    (notice,) = cases.public_notices()
    assert notice.institution_name == institution.name and notice.document_ref == "南人社处〔2025〕12号"
    assert notice.measures[0].startswith("机构列入黑名单") and "移送司法机关" in notice.measures
    page = client.get("/risk/notices/")
    assert page.status_code == 200 and "南人社处〔2025〕12号" in page.content.decode()
    assert signal.person.name not in page.content.decode() and signal.person.id_number_masked not in page.content.decode()
    assert client.get("/api/v1/risk/notices").json()[0]["institution_name"] == institution.name


def test_a_listing_is_lifted_by_a_later_decision_on_its_case(nanning_official) -> None:
    signal = _overlap_signal()
    case = cases.open_case(nanning_official, "冒名参训", [signal.pk])
    with frozen_at(DAY):
        decision = cases.decide_case(nanning_official, case, "冒名参训",
                                     [Measure(MeasureKind.PERSON_LISTING, person=signal.person)])
    listing = decision.measures.get().listing
    later = DAY + timedelta(days=30)
    with frozen_at(later):
        with pytest.raises(services.RiskRefused) as no_reason:
            cases.lift_listing(nanning_official, case, listing, later, " ")
        assert no_reason.value.code == "reason_required"
        with pytest.raises(services.RiskRefused) as backdated:
            cases.lift_listing(nanning_official, case, listing, DAY, "复核")
        assert backdated.value.code == "backdated"
        lifted = cases.lift_listing(nanning_official, case, listing, later - timedelta(days=1), "复核后撤销",
                                    "南人社解〔2025〕2号")
    assert lifted.measures.get().kind == MeasureKind.LIFTING and not lifted.closes_case
    assert person_listed(signal.person_id, later - timedelta(days=1)) and not person_listed(signal.person_id, later)
    assert BlacklistEntry.objects.get(pk=listing.pk).lifted_document_ref == "南人社解〔2025〕2号"
    assert AuditEntry.objects.filter(action="blacklist.lifted").exists()


def test_evidence_is_checked_stored_and_its_download_audited(nanning_official, liuzhou_official) -> None:
    case = cases.open_case(nanning_official, "重叠参训", [_overlap_signal().pk])
    pdf = b"%PDF-1.4 bank statement"
    evidence = cases.add_evidence(nanning_official, case, "C:\\scans\\流水.pdf", pdf, "银行流水")
    assert (evidence.file_name, evidence.content_type, evidence.size) == ("流水.pdf", "application/pdf", len(pdf))
    assert evidence.uploaded_by == nanning_official
    for name, content, code in [("a.exe", b"MZ\x90\x00", "file_type"), ("e.pdf", b"", "file_empty"),
                                ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "file_too_large")]:
        with pytest.raises(services.RiskRefused) as refused:
            cases.add_evidence(nanning_official, case, name, content)
        assert refused.value.code == code
    with pytest.raises(services.RiskRefused) as other_city:
        cases.add_evidence(liuzhou_official, case, "x.pdf", pdf)
    assert other_city.value.status == 403
    assert cases.evidence_content(nanning_official, evidence) == pdf
    assert AuditEntry.objects.filter(action="risk.evidence_downloaded").count() == 1
    with pytest.raises(services.RiskRefused):
        cases.evidence_content(liuzhou_official, evidence)
    assert [item.kind for item in cases.timeline(case)] == ["opened", "evidence"]


def test_no_finding_and_the_refusals(nanning_official, liuzhou_official, province_official) -> None:
    signal = _overlap_signal()
    with pytest.raises(services.RiskRefused) as other_city:
        cases.open_case(liuzhou_official, "越权", [signal.pk])
    assert other_city.value.status == 404
    with pytest.raises(services.RiskRefused) as province:
        cases.open_case(province_official, "自治区", [signal.pk])
    assert province.value.status == 403
    case = cases.open_case(nanning_official, "重叠参训", [signal.pk])
    with pytest.raises(services.RiskRefused) as twice:
        cases.open_case(nanning_official, "再次", [signal.pk])
    assert twice.value.code == "already_in_case"
    refusals = [
        (" ", [Measure(MeasureKind.NO_FINDING)], "", "reason_required"),
        ("追回", [Measure(MeasureKind.RECOVERY)], "", "claim_required"),
        ("x", [], "", "measure_required"),
        ("x", [Measure(MeasureKind.NO_FINDING), Measure(MeasureKind.REFERRAL)], "", "no_finding_alone"),
        ("x", [Measure(MeasureKind.LIFTING)], "", "bad_measure"),
        ("x", [Measure(MeasureKind.REFERRAL, referred_to="公安局", referral_date=date(2025, 1, 1))], "",
         "referral_ref_required"),
        ("x", [Measure(MeasureKind.PUBLIC_NOTICE, institution=signal.institution)], "", "document_ref_required"),
        ("x", [Measure(MeasureKind.SUSPENSION)], "", "institution_required"),
    ]
    for reason, measures, ref, code in refusals:
        with pytest.raises(services.RiskRefused) as refused:
            cases.decide_case(nanning_official, case, reason, measures, document_ref=ref)
        assert refused.value.code == code, (measures, refused.value.code)
    # A measure refused by its owner (a listing from yesterday) leaves nothing written, the case open.
    with frozen_at(DAY), pytest.raises(services.RiskRefused) as backdated:
        cases.decide_case(nanning_official, case, "x", [
            Measure(MeasureKind.PERSON_LISTING, person=signal.person),
            Measure(MeasureKind.PERSON_LISTING, person=signal.person, listed_from=DAY - timedelta(days=1))])
    assert backdated.value.code == "backdated" and not BlacklistEntry.objects.exists()
    assert Case.objects.get().status == CaseStatus.OPEN and not Case.objects.get().decisions.exists()
    cases.decide_case(nanning_official, case, "课程为上下午分时段", [Measure(MeasureKind.NO_FINDING)])
    assert Case.objects.get().status == CaseStatus.CLOSED
    with pytest.raises(services.RiskRefused) as closed:
        cases.decide_case(nanning_official, case, "再决定", [Measure(MeasureKind.NO_FINDING)])
    assert closed.value.status == 409
