"""Renewal of an expired qualification (1c re-certification): the institution applies, the city reviews."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.clock import frozen_at
from qiancheng.providers import services
from qiancheng.providers.models import Institution, InstitutionStatus
from qiancheng.providers.tests.test_institution_api import Api
from qiancheng.training.tests import builders

pytestmark = pytest.mark.django_db

APPROVED_UNTIL = date(2026, 6, 30)
AFTER_EXPIRY = date(2026, 12, 6)
NEW_UNTIL = date(2029, 12, 31)


@pytest.fixture
def expired() -> tuple[Institution, User]:
    """A 南宁 institution approved until 2026-06-30, stored as approved (nobody marked it expired)."""
    institution = builders.institution(approved_until=APPROVED_UNTIL)
    account = User.objects.create(username=f"school-{institution.pk}", role=Role.INSTITUTION, institution=institution)
    return institution, account


def test_an_expired_institution_applies_and_is_reinstated_with_a_new_validity(expired, nanning_official) -> None:
    institution, account = expired
    with frozen_at(AFTER_EXPIRY):
        assert services.opening_refusal(institution, AFTER_EXPIRY).code == "expired"
        renewed = services.apply_for_renewal(account, institution, "新增实训场地两处，师资更新")
        assert renewed.status == InstitutionStatus.APPLIED and renewed.approved_until == APPROVED_UNTIL
        assert services.opening_refusal(renewed, AFTER_EXPIRY) is not None  # waiting opens nothing
        applied = AuditEntry.objects.get(action="institution.renewal_applied")
        assert applied.actor_id == account.pk and "场地" in applied.reason

        approved = services.review_institution(nanning_official, renewed, "approve", "续期材料齐全",
                                               approved_until=NEW_UNTIL)
        assert (approved.status, approved.approved_until) == (InstitutionStatus.APPROVED, NEW_UNTIL)
        assert approved.shown_status(AFTER_EXPIRY) == InstitutionStatus.APPROVED
        assert services.opening_refusal(approved, AFTER_EXPIRY) is None
        assert AuditEntry.objects.filter(action="institution.approve").count() == 1


def test_the_city_may_ask_for_changes_or_reject_a_renewal_with_its_reason(expired, nanning_official) -> None:
    institution, account = expired
    with frozen_at(AFTER_EXPIRY):
        services.apply_for_renewal(account, institution, "续期")
        asked = services.review_institution(nanning_official, institution, "ask_changes", "请补充消防验收")
        assert asked.status == InstitutionStatus.CHANGES_REQUESTED
        services.resubmit_institution(account, asked)
        rejected = services.review_institution(nanning_official, asked, "reject", "场地不符合要求")
        assert (rejected.status, rejected.status_reason) == (InstitutionStatus.REJECTED, "场地不符合要求")
        assert services.opening_refusal(rejected, AFTER_EXPIRY) is not None


def test_only_an_expired_institution_renews_only_itself_with_a_note(expired, nanning_official) -> None:
    institution, account = expired
    with frozen_at(date(2026, 6, 30)):  # the last day of its approval: still in date
        with pytest.raises(ValidationError) as in_date:
            services.apply_for_renewal(account, institution, "提前续期")
        assert in_date.value.code == "not_expired"
    with frozen_at(AFTER_EXPIRY):
        with pytest.raises(ValidationError) as no_note:
            services.apply_for_renewal(account, institution, "  ")
        assert no_note.value.code == "note_required"
        with pytest.raises(PermissionDenied):
            services.apply_for_renewal(nanning_official, institution, "代为申请")
        other = builders.institution(approved_until=APPROVED_UNTIL)
        with pytest.raises(PermissionDenied):
            services.apply_for_renewal(account, other, "申请别家")
        services.apply_for_renewal(account, institution, "续期")
        with pytest.raises(ValidationError) as twice:
            services.apply_for_renewal(account, institution, "再次")
        assert twice.value.code == "not_expired"
    assert AuditEntry.objects.filter(action="institution.renewal_applied").count() == 1


def test_renewal_through_the_api_and_review_through_the_same_endpoint(expired, nanning_official) -> None:
    institution, account = expired
    with frozen_at(AFTER_EXPIRY):
        refused = Api(account).post(f"/{institution.pk}/renewal", {"note": ""})
        assert refused.status_code == 422 and refused.json()["code"] == "note_required"
        answer = Api(account).post(f"/{institution.pk}/renewal", {"note": "师资更新"})
        assert answer.status_code == 200 and answer.json()["status"] == InstitutionStatus.APPLIED
        reviewed = Api(nanning_official).post(f"/{institution.pk}/review", {
            "decision": "approve", "reason": "续期通过", "approved_until": NEW_UNTIL.isoformat()})
        assert reviewed.status_code == 200 and reviewed.json()["shown_status"] == InstitutionStatus.APPROVED


def test_renewal_on_the_workspace_and_the_queue_marks_it(client: Client, login, nanning_official) -> None:
    with frozen_at(date(2025, 9, 1)):
        account = services.register_institution_with_account(
            None, username="renewer", password="a-long-enough-secret-2025", name="南宁市续期培训学校",
            uscc="91450100MA5K12340N", kind="private_school", city=builders.city(), capacity=50, requested_scopes=[])
        services.review_institution(nanning_official, account.institution, "approve", "首次认定",
                                    approved_until=APPROVED_UNTIL)
    with frozen_at(AFTER_EXPIRY):
        page = login(client, account)
        assert 'data-testid="renewal-panel"' in page.get("/institutions/mine/").content.decode()
        empty = page.post("/institutions/mine/renew/", {"note": ""})
        assert empty.status_code == 422
        done = page.post("/institutions/mine/renew/", {"note": "更新办学许可"}, follow=True).content.decode()
        assert "续期申请已提交" in done and 'data-testid="renewal-panel"' not in done
        queue = login(Client(), nanning_official).get("/institutions/queue/").content.decode()
        assert "南宁市续期培训学校" in queue and 'data-testid="renewal-mark"' in queue
