"""6c 凡补必进、不进不补: no claim for a trainee whose attendance is below the threshold of the class's city in
force on the class's last day, on every filing path; exactly the threshold passes.

The classes here have 80 class hours and the default threshold is 80 %, so 64 hours is exactly the threshold
(64 / 80 = 0.80), 63 hours is 78.75 % (0.79 to two places) and 8 hours is 10 %.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from qiancheng.accounts.models import AuditEntry, User
from qiancheng.funding.models import FundAccount, FundSource, SubsidyClaim
from qiancheng.funding.services.claims import file_claim, file_class_claims
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.tests.money import finished_class, funded, institution_parties, paid_for_enrolment
from qiancheng.funding.tests.test_money_api import Api, _claim_body
from qiancheng.providers.models import Institution
from qiancheng.training.models import AttendanceThreshold, Enrolment, TrainingClass
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db


def trainee(training: TrainingClass, hours: int) -> Enrolment:
    """A trainee who passed and holds the certificate, with `hours` of the class's 80 attended."""
    enrolment = paid_for_enrolment(training, attended=False)
    builders.attended(enrolment, hours)
    return enrolment


@pytest.fixture
def training(persona_institution: Institution, province_official: User) -> TrainingClass:
    """A finished 80-hour 南宁 class (2025-09-01 to 2025-09-30), and a funded account."""
    built = finished_class(institution=persona_institution)
    funded(province_official, "100000.00")
    return built


def file_one(actor: User, enrolment: Enrolment) -> SubsidyClaim:
    from qiancheng.funding.services.claims import fund_account_for

    parties = institution_parties(enrolment.training_class)
    return file_claim(actor, enrolment, fund_account_for(enrolment, FundSource.EMPLOYMENT_SUBSIDY),
                      parties.advanced_by, parties.advanced_by_ref, parties.claimant, parties.claimant_ref)


# ---------------------------------------------------------------- the service


def test_8_of_80_hours_is_refused_with_6c_the_rate_and_the_threshold_with_its_source(
        training: TrainingClass, institution_user: User) -> None:
    with pytest.raises(FundingRefused) as refused:
        file_one(institution_user, trainee(training, 8))
    assert refused.value.code == "attendance_below_threshold" and refused.value.status == 422
    assert "出勤率10.0%" in refused.value.message_zh and "80学时中出勤8学时" in refused.value.message_zh
    assert "低于阈值80%" in refused.value.message_zh and "各地通行做法" in refused.value.message_zh
    assert "6c" in refused.value.message_zh
    english = refused.value.message_en
    assert "10.0 %" in english and "8 of 80 hours" in english and "80 %" in english and "(6c)" in english
    assert SubsidyClaim.objects.count() == 0


def test_64_of_80_hours_is_exactly_the_threshold_and_is_filed(training: TrainingClass,
                                                               institution_user: User) -> None:
    claim = file_one(institution_user, trainee(training, 64))  # 64 / 80 = 0.80 = the threshold
    assert claim.status == "pending" and claim.eligible is True


def test_63_of_80_hours_is_refused(training: TrainingClass, institution_user: User) -> None:
    with pytest.raises(FundingRefused) as refused:
        file_one(institution_user, trainee(training, 63))  # 63 / 80 = 0.7875, 0.79 to two places
    assert refused.value.code == "attendance_below_threshold" and "78.8%" in refused.value.message_zh


def test_the_citys_own_threshold_in_force_on_the_class_end_date_is_used(
        training: TrainingClass, institution_user: User, nanning_official: User) -> None:
    # 南宁 lowers its threshold to 70 % from 2025-09-30, the class's last day: 60 of 80 hours (75 %) passes.
    AttendanceThreshold.objects.create(city=training.city, effective_from=dt.date(2025, 9, 30), rate=Decimal("0.70"),
                                       source="南人社发〔2025〕9号", set_by=nanning_official)
    assert file_one(institution_user, trainee(training, 60)).status == "pending"
    with pytest.raises(FundingRefused) as refused:
        file_one(institution_user, trainee(training, 55))  # 68.75 %, below 南宁's 70 %
    assert "低于阈值70%" in refused.value.message_zh and "南人社发〔2025〕9号" in refused.value.message_zh
    assert "2025-09-30" in refused.value.message_zh


def test_a_city_threshold_taking_effect_after_the_class_ended_does_not_apply(
        training: TrainingClass, institution_user: User, nanning_official: User) -> None:
    AttendanceThreshold.objects.create(city=training.city, effective_from=dt.date(2025, 10, 1), rate=Decimal("0.70"),
                                       source="南人社发〔2025〕10号", set_by=nanning_official)
    with pytest.raises(FundingRefused) as refused:
        file_one(institution_user, trainee(training, 60))
    assert "低于阈值80%" in refused.value.message_zh and "各地通行做法" in refused.value.message_zh


def test_filing_a_class_files_who_attended_enough_and_records_who_did_not(
        training: TrainingClass, institution_user: User) -> None:
    low, enough = trainee(training, 8), trainee(training, 64)
    fund = FundAccount.objects.get()
    filed, refused = file_class_claims(institution_user, training, fund, institution_parties(training))
    assert [claim.enrolment_id for claim in filed] == [enough.pk]
    assert set(refused) == {low.pk} and refused[low.pk].code == "attendance_below_threshold"
    assert "报名#" not in refused[low.pk].message_zh  # the class path names no record number
    entry = AuditEntry.objects.get(action="claims.filed_for_class")
    assert entry.after["refused"] == {str(low.pk): "attendance_below_threshold"}


def test_the_api_refuses_8_of_80_hours_with_422_and_the_reason(training: TrainingClass,
                                                                institution_user: User) -> None:
    answer = Api(institution_user).post("/claims", _claim_body(trainee(training, 8)), "gate-1")
    assert answer.status_code == 422, answer.content
    assert "attendance_below_threshold" in answer.content.decode() and "8 of 80 hours" in answer.content.decode()
    assert SubsidyClaim.objects.count() == 0


# ---------------------------------------------------------------- the class claim page


def _url(training: TrainingClass) -> str:
    return f"/money/classes/{training.pk}/claim/"


def _form(training: TrainingClass, *enrolments: Enrolment, **extra: Any) -> dict[str, Any]:
    return {"source": FundSource.EMPLOYMENT_SUBSIDY, "advanced_by": f"institution:{training.institution.uscc}",
            "enrolments": [each.pk for each in enrolments], **extra}


def test_the_page_lists_each_trainee_with_can_be_claimed_or_why_not_in_chinese(
        client: Client, login, training: TrainingClass, institution_user: User) -> None:
    low, enough = trainee(training, 8), trainee(training, 64)
    failed = paid_for_enrolment(training, passed=False)
    already = trainee(training, 80)
    claimed = file_one(institution_user, already)
    login(client, institution_user)
    page = client.get(_url(training))
    text = page.content.decode()
    rows = {each.enrolment.pk: reason for each, reason in page.context["rows"]}
    assert rows[enough.pk] == ""
    assert "出勤率10.0%（80学时中出勤8学时），低于阈值80%" in rows[low.pk]
    assert "评价未合格" in rows[failed.pk] and f"已申领：{claimed.number}（待审核）" == rows[already.pk]
    # Only the claimable row has a box to tick.
    assert f'name="enrolments" value="{enough.pk}"' in text
    assert all(f'name="enrolments" value="{each.pk}"' not in text for each in (low, failed, already))
    # The words a reader sees, not the markup (the class page's tabs link to /classes/<pk>/attendance/).
    words = re.sub(r"<[^>]+>", " ", text)
    assert "报名#" not in words and "enrolment #" not in words and "attendance" not in words
    assert "can be claimed" not in text and "✓ 可申领" in text


def test_the_page_reads_in_english_when_asked(client: Client, login, training: TrainingClass,
                                              institution_user: User) -> None:
    trainee(training, 8)
    trainee(training, 64)
    login(client, institution_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get(_url(training)).content.decode()
    assert "attendance 10.0 % (8 of 80 hours) is below the threshold of 80 %" in text
    assert "can be claimed" in text and "Next: check" in text
    assert "出勤率" not in text and "可申领" not in text and "enrolment #" not in text


def test_ticking_checks_then_a_deliberate_confirm_files_and_names_each_claim(
        client: Client, login, training: TrainingClass, institution_user: User) -> None:
    first, second = trainee(training, 64), trainee(training, 72)
    login(client, institution_user)
    check = client.post(_url(training), _form(training, first, second))
    assert check.status_code == 200 and SubsidyClaim.objects.count() == 0
    summary = check.context["check"]
    assert summary.count == 2 and summary.expected_total == summary.per_person * 2 > 0
    text = check.content.decode()
    assert "确认提交 2 件申领" in text and first.person.name in text
    done = client.post(_url(training), _form(training, first, second, confirm="file"), follow=True)
    numbers = list(SubsidyClaim.objects.order_by("enrolment_id").values_list("number", flat=True))
    assert len(numbers) == 2
    shown = [str(message) for message in done.context["messages"]]
    assert len(shown) == 1 and "已提交 2 件申领" in shown[0] and all(number in shown[0] for number in numbers)


def test_a_trainee_below_the_threshold_cannot_be_filed_even_by_a_forged_tick(
        client: Client, login, training: TrainingClass, institution_user: User) -> None:
    low = trainee(training, 8)
    trainee(training, 64)
    login(client, institution_user)
    answer = client.post(_url(training), _form(training, low, confirm="file"))
    assert answer.status_code == 422 and SubsidyClaim.objects.count() == 0
    assert "所选学员中有不能申领的" in answer.content.decode()


def test_nothing_claimable_says_why_and_offers_no_button(client: Client, login, training: TrainingClass,
                                                         institution_user: User) -> None:
    trainee(training, 8)
    login(client, institution_user)
    text = client.get(_url(training)).content.decode()
    assert "本班没有可申领的学员" in text and 'data-testid="check-claims"' not in text
    assert 'type="checkbox"' not in text
    answer = client.post(_url(training), _form(training, confirm="file"))
    assert answer.status_code == 422 and SubsidyClaim.objects.count() == 0


# ---------------------------------------------------------------- the class claim API: the page's steps


def test_the_api_lists_who_can_be_claimed_and_files_only_claimable_trainees(
        training: TrainingClass, institution_user: User) -> None:
    low, enough = trainee(training, 8), trainee(training, 64)
    api = Api(institution_user)
    listed = {row["enrolment_id"]: row for row in api.get(f"/claims/classes/{training.pk}/candidates").json()}
    assert listed[enough.pk]["claimable"] is True and listed[enough.pk]["attendance_rate"] == "0.80"
    assert listed[low.pk]["claimable"] is False and listed[low.pk]["code"] == "attendance_below_threshold"
    assert "8 of 80 hours" in listed[low.pk]["message_en"] and Decimal(listed[low.pk]["attended_hours"]) == 8
    body = {**{key: value for key, value in _claim_body(enough).items() if key != "enrolment_id"},
            "enrolment_ids": [low.pk, enough.pk]}
    refused = api.post(f"/claims/classes/{training.pk}", body, "class-1")
    assert refused.status_code == 422 and refused.json()["code"] == "not_claimable"
    assert SubsidyClaim.objects.count() == 0
    filed = api.post(f"/claims/classes/{training.pk}", {**body, "enrolment_ids": [enough.pk]}, "class-2")
    assert filed.status_code == 201, filed.content
    assert [claim["enrolment_id"] for claim in filed.json()["filed"]] == [enough.pk]
    assert filed.json()["refused"] == [] and SubsidyClaim.objects.get().enrolment_id == enough.pk


def test_the_class_claim_api_hides_another_institutions_class(training: TrainingClass, institution_user: User) -> None:
    other = builders.training_class()
    assert Api(institution_user).get(f"/claims/classes/{other.pk}/candidates").status_code == 404
    assert Api(institution_user).post(f"/claims/classes/{other.pk}", {
        "fund": "employment_subsidy", "advanced_by": "institution", "advanced_by_ref": "x", "claimant": "institution",
        "claimant_ref": "x", "enrolment_ids": [1]}, "class-3").status_code == 404


def test_the_class_claim_api_refuses_an_empty_choice_with_422(training: TrainingClass, institution_user: User) -> None:
    enough = trainee(training, 64)
    body = {key: value for key, value in _claim_body(enough).items() if key != "enrolment_id"}
    answer = Api(institution_user).post(f"/claims/classes/{training.pk}", body, "class-4")
    assert answer.status_code == 422 and answer.json()["code"] == "nothing_chosen"


def test_a_bad_fund_choice_says_what_to_do_and_files_nothing(client: Client, login, training: TrainingClass,
                                                             institution_user: User) -> None:
    enough = trainee(training, 64)
    login(client, institution_user)
    answer = client.post(_url(training), _form(training, enough, source="no_such_fund", confirm="file"))
    assert answer.status_code == 422 and SubsidyClaim.objects.count() == 0
    assert "请重新选择申领资金来源和垫付方" in answer.content.decode()


# ---------------------------------------------------------------- the class page's 补贴 tab


def test_the_subsidy_tab_lists_this_class_claims_with_verdict_amount_and_total(
        client: Client, login, training: TrainingClass, institution_user: User, nanning_official: User,
        liuzhou_official: User) -> None:
    claim = file_one(institution_user, trainee(training, 64))
    other = finished_class(institution=training.institution)
    elsewhere = file_one(institution_user, trainee(other, 64))
    login(client, nanning_official)
    page = client.get(f"/money/classes/{training.pk}/subsidy/").content.decode()
    assert claim.number in page and elsewhere.number not in page and "符合条件" in page
    assert 'aria-current="page" data-testid="tab-subsidy"' in page and 'data-testid="list-subtotal"' in page
    assert 'data-testid="file-class-claims"' not in page  # an official does not file
    login(client, institution_user)
    page = client.get(f"/money/classes/{training.pk}/subsidy/").content.decode()
    assert f'href="{_url(training)}"' in page and claim.number in page
    login(client, liuzhou_official)
    assert client.get(f"/money/classes/{training.pk}/subsidy/").status_code == 404
