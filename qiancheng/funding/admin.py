"""Admin for funds, ledger, claims and payments: view-only. Money moves only through the funding
service (balanced postings, audited), never by editing a row here."""

from __future__ import annotations

from django.contrib import admin

from qiancheng.funding.models import FundAccount, LedgerEntry, LedgerTransaction, Payment, SubsidyClaim
from qiancheng.people.admin import ViewOnlyAdmin


@admin.register(FundAccount)
class FundAccountAdmin(ViewOnlyAdmin):
    list_display = ("year", "source", "city", "park", "allocated", "reserved", "paid", "available")
    list_filter = ("year", "source", "city")


class EntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    fields = ("account", "fund", "debit", "credit")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ViewOnlyAdmin):
    list_display = ("id", "kind", "document_ref", "claim", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("document_ref", "memo", "idempotency_key")
    inlines = [EntryInline]


@admin.register(SubsidyClaim)
class SubsidyClaimAdmin(ViewOnlyAdmin):
    list_display = (
        "number", "person", "training_type", "fund", "city", "end_date", "status", "eligible", "total_amount",
        "denied_by",
    )
    list_filter = ("status", "fund", "training_type", "origin", "city")
    search_fields = ("number",)
    list_select_related = ("person", "city")


@admin.register(Payment)
class PaymentAdmin(ViewOnlyAdmin):
    list_display = ("claim", "amount", "paid_at", "batch_ref", "status")
    list_filter = ("status",)
    search_fields = ("batch_ref", "idempotency_key", "claim__number")
