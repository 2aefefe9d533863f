"""Funds, the ledger, subsidy claims and payments (五、培训资金), one module per concept."""

from qiancheng.accounts.scope import register
from qiancheng.funding.models.advances import Advance, AdvanceStatus
from qiancheng.funding.models.appeals import Appeal, AppealDocument, AppealStatus
from qiancheng.funding.models.claims import (
    CLAIM_TRANSITIONS,
    COUNTING_STATUSES,
    FILED_STATUS,
    ClaimOrigin,
    ClaimStatus,
    PartyKind,
    ProofKind,
    SubsidyClaim,
    TopupStatus,
)
from qiancheng.funding.models.four_eyes import AllocationRequest, PaymentBatch, SecondCheck
from qiancheng.funding.models.funds import CLAIM_FUNDS, FundAccount, FundSource
from qiancheng.funding.models.idempotency import IdempotentRequest
from qiancheng.funding.models.ledger import LedgerEntry, LedgerTransaction, TransactionKind
from qiancheng.funding.models.payments import Payment, PaymentPart, PaymentStatus
from qiancheng.funding.models.recovery import RecoveryCase, RecoveryReason, RecoveryRepayment, RecoveryStatus
from qiancheng.funding.models.uplift import CityAiUplift

# The later funding models register their scope here, where they are defined (the foundation's funding
# models are in accounts/scope_rules.py).
register(Advance, city="training_class__city", institution="institution")
register(RecoveryCase, city="city", institution=("claim__institution", "advance__institution"),
         enterprise="claim__project__applicant", person="claim__person")
register(RecoveryRepayment, city="case__city", institution=("case__claim__institution", "case__advance__institution"),
         enterprise="case__claim__project__applicant", person="case__claim__person")
register(PaymentBatch, city="city")
# A city's AI uplift (4.2) is set by the province; each city reads its own.
register(CityAiUplift, city="city")
register(AllocationRequest, city=None)
register(Appeal, city="claim__city", institution="claim__institution", enterprise="claim__project__applicant",
         person="claim__person")
register(AppealDocument, city="appeal__claim__city", institution="appeal__claim__institution",
         enterprise="appeal__claim__project__applicant", person="appeal__claim__person")

__all__ = [
    "CLAIM_FUNDS",
    "CLAIM_TRANSITIONS",
    "FILED_STATUS",
    "CityAiUplift",
    "COUNTING_STATUSES",
    "Advance",
    "AllocationRequest",
    "AdvanceStatus",
    "Appeal",
    "AppealDocument",
    "AppealStatus",
    "ClaimOrigin",
    "ClaimStatus",
    "FundAccount",
    "FundSource",
    "IdempotentRequest",
    "LedgerEntry",
    "LedgerTransaction",
    "PartyKind",
    "Payment",
    "PaymentBatch",
    "PaymentPart",
    "PaymentStatus",
    "ProofKind",
    "RecoveryCase",
    "RecoveryReason",
    "RecoveryRepayment",
    "RecoveryStatus",
    "SecondCheck",
    "SubsidyClaim",
    "TopupStatus",
    "TransactionKind",
]
