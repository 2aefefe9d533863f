"""`/risk/`: the city's official opens a case from the list, notes it, adds evidence, decides it with several
measures and lifts the listing on the case's page (a timeline of all of it); another city gets 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiancheng.clock import frozen_at
from qiancheng.risk import services
from qiancheng.risk.models import Case, CaseEvidence, CaseStatus, Signal
from qiancheng.risk.tests import records
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def test_a_case_worked_on_the_pages(nanning_official, liuzhou_official, login) -> None:
    one, two = records.two_classes((date(2025, 9, 1), date(2025, 9, 30)), (date(2025, 9, 20), date(2025, 10, 20)))
    trainee = builders.person(name="覃重叠")
    builders.enrolment(one, trainee)
    builders.enrolment(two, trainee)
    services.run_signals(None, ["trainee_overlap"])
    signal = Signal.objects.get()
    city = login(Client(), nanning_official)
    page = city.get("/risk/?rule=trainee_overlap&status=open")
    assert page.status_code == 200 and "同一学员同时在两个班" in page.content.decode()
    opened = city.post("/risk/", {"title": "重叠参训", "signals": [signal.pk]})
    case = Case.objects.get()
    assert opened.status_code == 302 and opened["Location"] == f"/risk/cases/{case.pk}/"
    city.post(f"/risk/cases/{case.pk}/note/", {"text": "已约谈"})
    assert "已约谈" in city.get(f"/risk/cases/{case.pk}/").content.decode()
    uploaded = city.post(f"/risk/cases/{case.pk}/evidence/",
                         {"file": SimpleUploadedFile("名册.pdf", b"%PDF-1.4 roster"), "description": "签到表"})
    assert uploaded.status_code == 302
    refused = city.post(f"/risk/cases/{case.pk}/evidence/", {"file": SimpleUploadedFile("x.pdf", b"MZ")})
    assert refused.status_code == 200 and 'data-testid="error-summary"' in refused.content.decode()
    evidence = CaseEvidence.objects.get()
    assert city.get(f"/risk/cases/{case.pk}/evidence/{evidence.pk}/").content == b"%PDF-1.4 roster"
    with frozen_at(date(2025, 10, 15)):
        no_reason = city.post(f"/risk/cases/{case.pk}/decide/", {"measures": ["person_listing"]})
        assert 'data-testid="error-summary"' in no_reason.content.decode()
        decided = city.post(f"/risk/cases/{case.pk}/decide/", {
            "measures": ["person_listing", "referral"], "person": trainee.pk, "reason": "冒名参训",
            "document_ref": "南人社处〔2025〕7号", "referral_document_ref": "南人社移〔2025〕2号",
            "referral_date": "2025-10-15", "referred_to": "南宁市公安局", "close": "on"})
        assert decided.status_code == 302, decided.content.decode()[:2000]
    assert Case.objects.get().status == CaseStatus.CLOSED
    shown = city.get(f"/risk/cases/{case.pk}/").content.decode()
    order = [shown.index(text) for text in ("已约谈", "名册.pdf", "南人社处〔2025〕7号")]
    assert order == sorted(order) and "南人社移〔2025〕2号" in shown and 'data-testid="lift-listing"' in shown
    listing = BlacklistEntry.objects.get()
    with frozen_at(date(2025, 12, 1)):
        lifted = city.post(f"/risk/cases/{case.pk}/lift/", {"listing": listing.pk, "last_day": "2025-11-30",
                                                          "reason": "复核撤销"})
    assert lifted.status_code == 302 and BlacklistEntry.objects.get().listed_until == date(2025, 11, 30)
    assert "解除黑名单" in city.get(f"/risk/cases/{case.pk}/").content.decode()

    other = login(Client(), liuzhou_official)
    assert other.get(f"/risk/cases/{case.pk}/").status_code == 404
    assert other.get(f"/risk/cases/{case.pk}/evidence/{evidence.pk}/").status_code == 404
    assert other.post(f"/risk/cases/{case.pk}/decide/", {}).status_code == 404
    assert "同一学员同时在两个班" not in other.get("/risk/").content.decode()


def test_the_case_page_and_the_notices_speak_english(nanning_official, login) -> None:
    from qiancheng.risk import cases
    from qiancheng.risk.cases import Measure
    from qiancheng.risk.models import MeasureKind
    from tests.test_pages_speak_one_language import HAN, visible

    one, two = records.two_classes((date(2025, 9, 1), date(2025, 9, 30)), (date(2025, 9, 20), date(2025, 10, 20)))
    trainee = builders.person(name="覃重叠")
    builders.enrolment(one, trainee)
    builders.enrolment(two, trainee)
    services.run_signals(None, ["trainee_overlap"])
    case = cases.open_case(nanning_official, "overlap", [Signal.objects.get().pk])
    cases.add_evidence(nanning_official, case, "roster.pdf", b"%PDF-1.4", "roster")
    with frozen_at(date(2025, 10, 15)):
        cases.decide_case(nanning_official, case, "impersonation", [
            Measure(MeasureKind.REFERRAL, institution=one.institution, referral_document_ref="R-1",
                    referral_date=date(2025, 10, 15), referred_to="police"),
            Measure(MeasureKind.PUBLIC_NOTICE, institution=one.institution)], document_ref="D-1", close=False)
    client = login(Client(), nanning_official)
    client.cookies["django_language"] = "en"
    names = {one.institution.name, two.institution.name, trainee.name, nanning_official.get_full_name()}
    for url in (f"/risk/cases/{case.pk}/", "/risk/notices/"):
        text = visible(client.get(url).content.decode())
        han = {word for word in HAN.findall(text) if not any(word in name or name in word for name in names)}
        assert han == set(), (url, han)
