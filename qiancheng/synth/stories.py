"""Money in every state for the demo: a few claims of 南宁 taken through the real services.

The bulk loader writes claims that are pending, approved, rejected, paid or withdrawn, with their
ledger. What the bulk data cannot show without the services' own records is written here, through
the same functions an official uses, so the ledger and the audit trail hold them like any other:

- a pending claim sent back for more documents (退回补充材料);
- a paid claim found wrong (6d), recovered in part: a recovery case with one repayment;
- a rejected claim of the demo institution, appealed by it and waiting for a second official
  (`nanning2`, who did not reject it) to decide;
- a credit-payment advance (3.6) to an approved class of a rated institution, when one qualifies;
- a paid special-account project claim whose employment proof (5.2c) came three months after the class:
  its 200 CNY top-up waits for the reviewer.

Run once per database: the audit event `demo.money_stories` marks it done.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, Value, When

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import AuditEntry, User
from qiancheng.clock import frozen_at, today
from qiancheng.funding.models import ClaimStatus, PartyKind, SubsidyClaim
from qiancheng.funding.services.advances import advance_eligibility, grant_advance
from qiancheng.funding.services.appeals import file_appeal
from qiancheng.funding.services.claims import (
    EmploymentProof,
    add_employment_proof,
    fund_account_for_class,
    reject_claim,
    send_back_claim,
)
from qiancheng.funding.services.recovery import open_recovery, record_repayment
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.training.models import ClassStatus, TrainingClass

NANNING = "450100"
MARK = "demo.money_stories"
# A one-page PDF is enough to stand for the scanned evidence an institution attaches to an appeal.
EVIDENCE = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _pending(city: str) -> SubsidyClaim | None:
    return (SubsidyClaim.objects.filter(city_id=city, status=ClaimStatus.PENDING, documents_requested_at=None)
            .order_by("number").first())


def _send_back(official: User, province_official: User) -> str:
    """南宁's own pending claim when there is one; otherwise another city's, sent back by the province (a
    reviewer everywhere), so a small province shows a send-back whatever day the demo is made."""
    claim = _pending(NANNING)
    if claim is None:
        claim = (SubsidyClaim.objects.filter(status=ClaimStatus.PENDING, documents_requested_at=None)
                 .order_by("number").first())
        official = province_official
    if claim is None:
        return "no pending claim to send back"
    send_back_claim(official, claim, "请补充学员签到表原件扫描件 / please add the scanned sign-in sheets")
    return f"sent back {claim.number}"


def _recover(official: User) -> str:
    claim = SubsidyClaim.objects.filter(city_id=NANNING, status=ClaimStatus.PAID).order_by("number").first()
    if claim is None:
        return "no paid claim to recover"
    case = open_recovery(official, claim, "fraud", "抽查发现代签到，追回全部补贴 / proxy sign-in found at a spot check")
    part = (case.amount_owed / 2).quantize(Decimal("0.01"))
    record_repayment(official, case, part, "桂财缴〔2026〕演示001号")
    return f"recovery {case.pk} on {claim.number}, repaid {part}"


def _appeal(official: User, institution_user: User) -> str:
    institution = institution_user.institution
    claim = (SubsidyClaim.objects.filter(city_id=NANNING, status=ClaimStatus.PENDING, documents_requested_at=None,
                                         claimant=PartyKind.INSTITUTION, claimant_ref=institution.uscc)
             .order_by("number").first())
    if claim is None:
        # Late in the programme the institution may have nothing pending: appeal one already rejected.
        claim = (SubsidyClaim.objects.filter(city_id=NANNING, status=ClaimStatus.REJECTED, appeals__isnull=True,
                                             claimant=PartyKind.INSTITUTION, claimant_ref=institution.uscc)
                 .order_by("-number").first())
        if claim is None:
            return "the demo institution has no claim to reject and appeal"
    else:
        reject_claim(official, claim, "考勤记录不完整 / attendance record incomplete")
    file_appeal(institution_user, claim, "补交了完整考勤记录，请复核 / the full attendance record is attached",
                [("考勤记录.pdf", EVIDENCE)])
    return f"appeal on {claim.number}"


def _advance(official: User) -> str:
    on = today()
    classes = (TrainingClass.objects.filter(city_id=NANNING, status__in=[ClassStatus.APPROVED, ClassStatus.IN_PROGRESS],
                                            end_date__gte=on, advances__isnull=True)
               .select_related("institution").order_by("start_date", "pk"))
    for training in classes[:200]:
        if advance_eligibility(training.institution, on) is not None:
            continue
        for source in ("employment_subsidy", "special_account", "unemployment_insurance"):
            try:
                fund = fund_account_for_class(training, source)
                advance = grant_advance(official, training, fund, f"demo-advance-{uuid.uuid4()}")
            except FundingRefused:
                continue
            return f"advance {advance.amount} to class {training.pk}"
    return "no approved class of a rated institution qualifies for an advance"


def _topup(official: User, province_official: User) -> str:
    """南宁's own claim when one qualifies; otherwise another city's, added by the province (a reviewer
    everywhere), so a small province still shows a top-up waiting whatever day the demo is made."""
    on = today()
    claims = (SubsidyClaim.objects.filter(status=ClaimStatus.PAID, fund="special_account",
                                          training_type="project", employment_proof_kind="", topup_status="",
                                          passed=True, end_date__lte=on - dt.timedelta(days=100))
              .annotate(elsewhere=Case(When(city_id=NANNING, then=Value(0)), default=Value(1)))
              .order_by("elsewhere", "number"))
    for claim in claims[:50]:
        actor = official if claim.city_id == NANNING else province_official
        try:
            add_employment_proof(actor, claim, EmploymentProof("social_insurance_record", on))
        except FundingRefused:
            continue
        return f"employment top-up waiting on {claim.number}"
    return "no paid special-account project claim is three months past its class"


def ensure_money_stories(as_of: dt.date, say: Callable[[str], object] = print) -> bool:
    """Write the stories once, on the province's own date (`as_of`, so what they find does not depend on
    the day the demo is made); False when they were written before."""
    if AuditEntry.objects.filter(action=MARK).exists():
        return False
    official = User.objects.get(username="nanning")
    institution_user = User.objects.get(username="institution")
    province_official = User.objects.get(username="province")
    with frozen_at(as_of):
        steps = (_send_back(official, province_official), _recover(official), _appeal(official, institution_user),
                 _advance(official), _topup(official, province_official))
    with transaction.atomic():
        record_event(None, MARK, official, after={"steps": list(steps)}, reason="qiancheng demo")
    for step in steps:
        say(f"演示资金状态 / demo money: {step}")
    return True
