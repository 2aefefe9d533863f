"""The risk app: person linkage, fraud signals and cases (issue 12, 6d)."""

from __future__ import annotations

from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "qiancheng.risk"
    label = "risk"
    verbose_name = "风险防控 Risk"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from qiancheng.accounts import scope
        from qiancheng.accounts.models import Role
        from qiancheng.risk.models import (
            Case,
            CaseDecision,
            CaseEvidence,
            CaseMeasure,
            CaseNote,
            LinkCandidate,
            Signal,
            SignalStatus,
            TrainedLinkageModel,
        )
        from qiancheng.risk.tasks import queue_scan_after_import
        from qiancheng.web.imports_done import on_import
        from qiancheng.web.queues import add_queue

        # Decided by the city of the records; institutions, enterprises and trainees see none of it.
        scope.register(Signal, city="city")
        scope.register(LinkCandidate, city="city")
        scope.register(Case, city="city")
        scope.register(CaseNote, city="case__city")
        scope.register(CaseDecision, city="case__city")
        scope.register(CaseMeasure, city="decision__case__city")
        scope.register(CaseEvidence, city="case__city")
        # The linkage model is trained on the whole register: the province's; no city reads it as a record.
        scope.register(TrainedLinkageModel, city=None)

        def open_signals(user: object) -> object:
            return scope.scoped(Signal, user).filter(status=SignalStatus.OPEN)

        # Signals and linkage after each committed import (issue 12), queued, never in the importer's request.
        on_import("risk.scan_after_import", queue_scan_after_import)

        add_queue("risk_signals", _("待处理的风险信号"), "risk:home", open_signals, since="found_at",
                  roles={Role.CITY_OFFICIAL}, order=70)
