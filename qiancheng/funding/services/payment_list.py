"""The payment list (拨付清单) of one batch, as the .xlsx the treasury receives.

Personal data stays masked: an individual payee shows the masked ID number and bank account kept on
the person (ADR 0001). Institutions and enterprises are shown by name and USCC, which are public. The
export is recorded in the audit trail, with how many rows and how much money it carried.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db import transaction

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.scope import scoped
from qiancheng.demand.models import Enterprise
from qiancheng.funding.models import PartyKind, Payment, PaymentStatus
from qiancheng.people.models import Person
from qiancheng.providers.models import Institution

HEADERS = (
    "序号 No.", "申领编号 Claim", "收款方类型 Payee kind", "收款方 Payee", "证件号（脱敏）/信用代码 ID (masked) / USCC",
    "银行账号（脱敏） Bank account (masked)", "金额（元） Amount (CNY)", "资金账户 Fund account", "支付时间 Paid at",
)


def _payees(payments: list[Payment]) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(kind, ref) -> (name, identifier shown, bank account shown)."""
    refs: dict[str, set[str]] = {kind: set() for kind in PartyKind.values}
    for payment in payments:
        refs[payment.claim.claimant].add(payment.claim.claimant_ref)
    found: dict[tuple[str, str], tuple[str, str, str]] = {}
    for uscc, name in Institution.objects.filter(uscc__in=refs[PartyKind.INSTITUTION]).values_list("uscc", "name"):
        found[(PartyKind.INSTITUTION, uscc)] = (name, uscc, "")
    for uscc, name in Enterprise.objects.filter(uscc__in=refs[PartyKind.ENTERPRISE]).values_list("uscc", "name"):
        found[(PartyKind.ENTERPRISE, uscc)] = (name, uscc, "")
    people = Person.objects.filter(person_key__in=refs[PartyKind.INDIVIDUAL]).values_list(
        "person_key", "name", "id_number_masked", "bank_account_masked")
    for key, name, id_masked, bank_masked in people:
        found[(PartyKind.INDIVIDUAL, key)] = (name, id_masked, bank_masked)
    return found


def payment_list_xlsx(actor: Any, batch_ref: str) -> bytes:
    """The standing payments of `batch_ref` that `actor` may see, one row each, with a total row."""
    payments = list(scoped(Payment.objects.filter(batch_ref=batch_ref, status=PaymentStatus.PAID), actor)
                    .select_related("claim", "claim__fund_account").order_by("claim__number"))
    payees = _payees(payments)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("拨付清单")
    bold = book.add_format({"bold": True})
    yuan = book.add_format({"num_format": "#,##0.00"})
    sheet.write_string(0, 0, f"拨付批次 Payment batch: {batch_ref}", bold)
    for column, header in enumerate(HEADERS):
        sheet.write_string(1, column, header, bold)
    total = Decimal("0.00")
    for number, payment in enumerate(payments, start=1):
        claim = payment.claim
        name, identifier, bank = payees.get((claim.claimant, claim.claimant_ref), ("", "", ""))
        row = number + 1
        sheet.write_number(row, 0, number)
        sheet.write_string(row, 1, claim.number)
        sheet.write_string(row, 2, PartyKind(claim.claimant).label)
        sheet.write_string(row, 3, name)
        sheet.write_string(row, 4, identifier)
        sheet.write_string(row, 5, bank)
        # A number cell, for the treasury's sums (Excel has no decimal type): amounts below 10^13 yuan keep
        # every fen through a double. The total is also written as exact text beside it.
        sheet.write_number(row, 6, float(payment.amount), yuan)
        sheet.write_string(row, 7, str(claim.fund_account) if claim.fund_account else "")
        sheet.write_string(row, 8, payment.paid_at.isoformat(timespec="seconds"))
        total += payment.amount
    sheet.write_string(len(payments) + 2, 5, "合计 Total", bold)
    sheet.write_number(len(payments) + 2, 6, float(total), yuan)
    sheet.write_string(len(payments) + 2, 7, f"{total:.2f}")
    sheet.set_column(1, 8, 22)
    book.close()
    with transaction.atomic():
        record_event(actor, "payments.list_exported", after={"batch_ref": batch_ref, "rows": len(payments),
                                                             "total": total})
    return buffer.getvalue()
