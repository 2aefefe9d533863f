"""The funding app: fund accounts, the ledger, claims, payments, recoveries and advances."""

from __future__ import annotations

from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "qiancheng.funding"
    label = "funding"

    def ready(self) -> None:
        from qiancheng.evaluation.services import RevocationConsequence, on_revocation
        from qiancheng.funding.services.decision_store import stored_history_records
        from qiancheng.funding.services.recovery import (
            lock_claims_paid_on,
            recover_on_revocation,
            revocation_summary,
        )
        from qiancheng.training.services.history import read_history_with

        # 6d: a revoked certificate's paid claims are recovered in the revocation's own transaction; the
        # revocation page says how many, through the summary (evaluation does not import funding).
        on_revocation(RevocationConsequence("funding.recovery", lock_claims_paid_on,
                                            recover_on_revocation, revocation_summary))
        # The enrolment's eligibility prediction reads the stored history funding keeps (training sits below).
        read_history_with(stored_history_records)
