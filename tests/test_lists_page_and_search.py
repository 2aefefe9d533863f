"""Long lists page and search (issue 15, item 4): no list page shows more than 50 rows, the pager leads to
the rest, search by number finds the record, filters and orders apply, the province sees cities grouped."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from qiancheng.accounts.tests.two_cities import build_two_cities
from qiancheng.funding.models import ClaimStatus, SubsidyClaim
from qiancheng.web.listing import PER_PAGE

pytestmark = pytest.mark.django_db

# The list pages over claims, with the row marker each uses.
LIST_PAGES = {"/money/claims/": 'data-testid="claim-status"', "/money/review/": 'data-testid="review-row-'}


def _many_claims(count: int = 130) -> list[str]:
    """`count` pending claims more, copies of a two-city claim with their own numbers and amounts."""
    build_two_cities()
    model = SubsidyClaim.objects.order_by("pk").first()
    assert model is not None
    copies = []
    for index in range(count):
        model.pk = None
        model.number = f"BULK{index:05d}"
        model.status = ClaimStatus.PENDING
        # A decision the claim's CHECK accepts: granted claims carry their amount, denied ones zero and a rule.
        model.eligible = index % 3 != 0
        model.decided_at = model.decided_at or model.created_at
        model.training_amount = Decimal(600 + index) if model.eligible else Decimal(0)
        model.employment_amount = Decimal(0)
        model.total_amount = model.training_amount
        model.denied_by = "" if model.eligible else "R-3.1-once-per-year"
        copies.append(SubsidyClaim(**{f.attname: getattr(model, f.attname) for f in SubsidyClaim._meta.concrete_fields}))
    SubsidyClaim.objects.bulk_create(copies)
    return [claim.number for claim in copies]


@pytest.mark.parametrize("url", list(LIST_PAGES))
def test_every_claim_list_pages_at_50_rows_and_finds_a_number(url, login, province_official) -> None:
    numbers = _many_claims()
    client = login(Client(), province_official)
    first = client.get(url).content.decode()
    assert first.count(LIST_PAGES[url]) == PER_PAGE
    assert 'data-testid="pager"' in first and 'rel="next"' in first
    last = client.get(url, {"page": 99}).content.decode()  # past the end: the last page, not a 500
    assert 0 < last.count(LIST_PAGES[url]) <= PER_PAGE
    wanted = numbers[77]
    found = client.get(url, {"q": wanted}).content.decode()
    assert found.count(LIST_PAGES[url]) == 1 and wanted in found


def test_the_review_queue_filters_by_verdict_and_sorts_by_amount(login, province_official) -> None:
    _many_claims()
    client = login(Client(), province_official)
    denied = client.get("/money/review/", {"verdict": "denied", "sort": "amount_desc"}).content.decode()
    shown = re.findall(r'data-testid="review-row-(BULK\d+)"', denied)
    expected = list(SubsidyClaim.objects.filter(number__startswith="BULK", eligible=False)
                    .order_by("-total_amount", "submitted_at", "pk").values_list("number", flat=True)[:PER_PAGE])
    assert shown == expected
    assert "不予补贴" in denied
    # The amount is on the row, not behind a click.
    assert re.search(r'data-testid="row-amount">\s*[\d,]+\.\d\d', denied)


def test_a_bad_filter_value_or_sort_is_ignored(login, province_official) -> None:
    _many_claims(5)
    client = login(Client(), province_official)
    response = client.get("/money/claims/", {"status": "nonsense", "sort": "drop table", "page": "x"})
    assert response.status_code == 200


def test_the_province_sees_claims_grouped_by_city_first(login, province_official) -> None:
    _many_claims(5)
    client = login(Client(), province_official)
    page = client.get("/money/claims/").content.decode()
    assert 'value="by_city" selected' in page


def test_the_results_class_list_pages_and_finds_a_class(login, institution_user, persona_institution) -> None:
    from qiancheng.training.models import ClassStatus
    from qiancheng.training.tests import builders

    for index in range(PER_PAGE + 12):
        builders.training_class(institution=persona_institution, status=ClassStatus.FINISHED, name=f"结业班{index:03d}")
    client = login(Client(), institution_user)
    first = client.get("/evaluation/classes/").content.decode()
    assert first.count('data-testid="results-link-') == PER_PAGE and 'rel="next"' in first
    second = client.get("/evaluation/classes/", {"page": 2}).content.decode()
    assert second.count('data-testid="results-link-') == 12
    found = client.get("/evaluation/classes/", {"q": "结业班007"}).content.decode()
    assert found.count('data-testid="results-link-') == 1 and "结业班007" in found


def test_the_payment_batches_page_and_find_a_batch(login, province_official) -> None:
    """More batches than a page: the history pages at 50 and finds a batch by its number."""
    from django.utils import timezone

    from qiancheng.funding.models import Payment

    _many_claims(PER_PAGE + 5)
    claims = list(SubsidyClaim.objects.filter(number__startswith="BULK").order_by("number"))
    Payment.objects.bulk_create([
        Payment(claim=claim, person_id=claim.person_id, amount=Decimal("10.00"), paid_at=timezone.now(),
                batch_ref=f"PB{index:04d}", idempotency_key=f"pb-{index}", created_by=province_official)
        for index, claim in enumerate(claims)])
    client = login(Client(), province_official)
    first = client.get("/money/payments/").content.decode()
    assert 'data-testid="pager"' in first and first.count('data-testid="download-list"') == PER_PAGE
    found = client.get("/money/payments/", {"q": "PB0042"}).content.decode()
    assert found.count('data-testid="download-list"') == 1 and "PB0042" in found
