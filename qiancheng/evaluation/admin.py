"""Admin for evaluations and certificates: view-only (issuing and revoking are audited services)."""

from __future__ import annotations

from django.contrib import admin

from qiancheng.evaluation.models import Certificate, Evaluation
from qiancheng.people.admin import ViewOnlyAdmin


@admin.register(Evaluation)
class EvaluationAdmin(ViewOnlyAdmin):
    list_display = ("enrolment", "passed", "score", "evaluated_on", "evaluator")
    list_filter = ("passed",)
    date_hierarchy = "evaluated_on"


@admin.register(Certificate)
class CertificateAdmin(ViewOnlyAdmin):
    list_display = ("number", "kind", "person", "occupation", "level", "item", "issuer", "issued_on", "status")
    list_filter = ("kind", "status", "level")
    search_fields = ("number",)
    list_select_related = ("person", "occupation", "item")
