"""Funds, the ledger, subsidy claims and payments (五、培训资金), one module per concept."""

from qiancheng.funding.models.claims import (
    COUNTING_STATUSES,
    ClaimOrigin,
    ClaimStatus,
    PartyKind,
    ProofKind,
    SubsidyClaim,
)
from qiancheng.funding.models.funds import CLAIM_FUNDS, FundAccount, FundSource
from qiancheng.funding.models.idempotency import IdempotentRequest
from qiancheng.funding.models.ledger import LedgerEntry, LedgerTransaction, TransactionKind
from qiancheng.funding.models.payments import Payment, PaymentStatus

__all__ = [
    "CLAIM_FUNDS",
    "COUNTING_STATUSES",
    "ClaimOrigin",
    "ClaimStatus",
    "FundAccount",
    "FundSource",
    "IdempotentRequest",
    "LedgerEntry",
    "LedgerTransaction",
    "PartyKind",
    "Payment",
    "PaymentStatus",
    "ProofKind",
    "SubsidyClaim",
    "TransactionKind",
]
