"""The evaluation app: assessments, certificates and their verification."""

from __future__ import annotations

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "qiancheng.evaluation"
    label = "evaluation"
    verbose_name = "评价 Evaluation"

    def ready(self) -> None:
        from qiancheng.evaluation.records import institution_certificates
        from qiancheng.projects.delivery import register_record

        # The city choosing an institution for a project reads its certificates (3.4c 择优).
        register_record("evaluation", institution_certificates)
