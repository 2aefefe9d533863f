"""The payment list (拨付清单) of one batch, as the .xlsx the treasury receives.

Personal data stays masked unless the province asks for the treasury's unmasked list (audited): an individual payee shows the masked ID number and bank account kept on
the person (ADR 0001). Institutions and enterprises are shown by name and USCC, which are public. The
export is recorded in the audit trail, with how many rows and how much money it carried.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db import transaction
from django.http import HttpRequest

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.demand.models import Enterprise
from qiancheng.funding.models import PartyKind, Payment, PaymentStatus
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.people import crypto
from qiancheng.people.models import Person
from qiancheng.people.services import BANK_ACCOUNT, ID_NUMBER
from qiancheng.providers.models import Institution

HEADERS = (
    "序号 No.", "申领编号 Claim", "收款方类型 Payee kind", "收款方 Payee", "证件号（脱敏）/信用代码 ID (masked) / USCC",
    "银行账号（脱敏） Bank account (masked)", "金额（元） Amount (CNY)", "资金账户 Fund account", "支付时间 Paid at",
)


UNMASKED_HEADERS = (*HEADERS[:4], "证件号/信用代码 ID number / USCC", "银行账号 Bank account", *HEADERS[6:])


def may_export_unmasked(actor: Any) -> bool:
    """Who may make the treasury's unmasked list: the province only. The accounts app has no finance
    permission or flag for city officials (accounts/models.py), so no city official may."""
    return getattr(actor, "role", None) == Role.PROVINCE_OFFICIAL and getattr(actor, "is_active", False)


def _opened(person_key: str, id_token: str, bank_token: str) -> tuple[str, str]:
    """The clear ID number and bank account, in memory only; a token copied from another row is refused."""
    clear_id = crypto.decrypt(id_token, purpose=ID_NUMBER)
    if person_key not in crypto.person_key_candidates(clear_id):
        raise crypto.DecryptionError("身份证号密文与人员标识不符 / the sealed ID number does not belong to this person")
    return clear_id, crypto.decrypt(bank_token, purpose=BANK_ACCOUNT) if bank_token else ""


def _payees(payments: list[Payment], unmasked: bool = False) -> dict[tuple[str, str], tuple[str, str, str]]:
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
        "person_key", "name", "id_number_masked", "bank_account_masked", "id_number_enc", "bank_account_enc")
    for key, name, id_masked, bank_masked, id_token, bank_token in people:
        if unmasked:
            found[(PartyKind.INDIVIDUAL, key)] = (name, *_opened(key, id_token, bank_token))
        else:
            found[(PartyKind.INDIVIDUAL, key)] = (name, id_masked, bank_masked)
    return found


def payment_list_xlsx(actor: Any, batch_ref: str, unmasked: bool = False, *, reason: str = "",
                      request: HttpRequest | None = None) -> bytes:
    """The standing payments of `batch_ref` that `actor` may see, one row each, with a total row.

    `unmasked=True` is the list the treasury pays from: individuals' ID numbers and bank accounts in
    clear. Only the province may make it (`may_export_unmasked`), and the read of each person's data is
    an audit event naming the batch and the people (PIPL), written before the file is handed out.
    """
    if unmasked and not may_export_unmasked(actor):
        raise FundingRefused("forbidden", "只有自治区人社厅可以导出未脱敏的拨付清单",
                             "only the province may export the unmasked payment list", status=403)
    reason = " ".join(reason.split())
    if unmasked and not reason:
        # PIPL: a read of clear personal data says why; the audit entry keeps the reason and the address.
        raise FundingRefused("reason_missing", "导出完整清单须说明用途（例如：报送国库集中支付）",
                             "say why the unmasked list is exported (e.g. for the treasury's payment)", status=422)
    payments = list(scoped(Payment.objects.filter(batch_ref=batch_ref, status=PaymentStatus.PAID), actor)
                    .select_related("claim", "claim__fund_account").order_by("claim__number"))
    payees = _payees(payments, unmasked)
    headers = UNMASKED_HEADERS if unmasked else HEADERS
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("拨付清单")
    bold = book.add_format({"bold": True})
    yuan = book.add_format({"num_format": "#,##0.00"})
    sheet.write_string(0, 0, f"拨付批次 Payment batch: {batch_ref}", bold)
    for column, header in enumerate(headers):
        sheet.write_string(1, column, header, bold)
    total = Decimal("0.00")
    for number, payment in enumerate(payments, start=1):
        claim = payment.claim
        name, identifier, bank = payees.get((claim.claimant, claim.claimant_ref), ("", "", ""))
        row = number + 1
        sheet.write_number(row, 0, number)
        sheet.write_string(row, 1, claim.number)
        sheet.write_string(row, 2, str(PartyKind(claim.claimant).label))
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
        if unmasked:
            individuals = sorted({p.claim.claimant_ref for p in payments if p.claim.claimant == PartyKind.INDIVIDUAL})
            record_event(actor, "payments.list_exported_unmasked", after={
                "batch_ref": batch_ref, "rows": len(payments), "total": total, "persons_revealed": individuals},
                reason=reason, request=request)
        else:
            record_event(actor, "payments.list_exported", after={"batch_ref": batch_ref, "rows": len(payments),
                                                                 "total": total})
    return buffer.getvalue()
