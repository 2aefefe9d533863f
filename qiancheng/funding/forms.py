"""Forms of the money pages: they read what a person typed; the services decide what it may change."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.models import City, IndustrialPark
from qiancheng.funding.models import CLAIM_FUNDS, FundSource, PartyKind, ProofKind, RecoveryReason
from qiancheng.funding.services.recovery import CLAIM_REASONS
from qiancheng.web.forms import PlainForm


def _claim_fund_choices() -> list[tuple[str, str]]:
    return [(source, FundSource(source).label) for source in CLAIM_FUNDS]


class ClassClaimForm(PlainForm, forms.Form):
    """Claims for a class: the fund asked, who advanced the cost (3.6), and the trainees ticked (the view offers
    only those who can be claimed, so a forged tick is an invalid choice)."""

    source = forms.ChoiceField(label=_("申领资金来源"), choices=_claim_fund_choices)
    advanced_by = forms.ChoiceField(label=_("垫付方"), choices=())
    enrolments = forms.TypedMultipleChoiceField(label=_("学员"), coerce=int, required=False, choices=())

    def __init__(self, *args: object, advancers: list[tuple[str, str]], enrolments: list[tuple[int, str]],
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["advanced_by"].choices = advancers
        self.fields["enrolments"].choices = enrolments


class ReasonForm(PlainForm, forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NoteForm(PlainForm, forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                           required=False)


class EmploymentProofForm(PlainForm, forms.Form):
    """5.2c: one proof of employment, of one of three kinds, with its date."""

    kind = forms.ChoiceField(label=_("证明类型"), choices=ProofKind.choices)
    date = forms.DateField(label=_("证明日期"), widget=forms.DateInput(attrs={"type": "date"}))
    employer_uscc = forms.CharField(label=_("用人单位统一社会信用代码"), max_length=24, required=False,
                                    help_text=_("证明所载用人单位，18位"))


class BulkApproveForm(PlainForm, forms.Form):
    claims = forms.MultipleChoiceField(label=_("选中的申领"), required=False, choices=())
    only = forms.CharField(required=False)
    note = forms.CharField(label=_("审核意见"), required=False, max_length=2000)

    def __init__(self, *args: object, numbers: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claims"].choices = [(number, number) for number in numbers]

    def chosen(self) -> list[str]:
        only = self.cleaned_data.get("only")
        return [only] if only else list(self.cleaned_data.get("claims") or [])


class PayBatchForm(PlainForm, forms.Form):
    """The payment batch: its key is made when the page is drawn, so a double click sends the same key."""

    idempotency_key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
    claims = forms.MultipleChoiceField(label=_("待支付的申领"), choices=())

    def __init__(self, *args: object, numbers: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claims"].choices = [(number, number) for number in numbers]


class AllocationForm(PlainForm, forms.Form):
    """下达资金: the province records money placed in an account, with the document that ordered it."""

    source = forms.ChoiceField(label=_("资金来源"), choices=FundSource.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("金额（元）"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    document_ref = forms.CharField(label=_("文号"), max_length=128)
    city = forms.ModelChoiceField(label=_("城市（空 = 自治区本级）"), queryset=City.objects.order_by("code"),
                                  required=False)
    park = forms.ModelChoiceField(label=_("园区（4.1 沿边临港产业园区）"), queryset=IndustrialPark.objects.order_by("code"),
                                  required=False)


PARTY_LABELS = dict(PartyKind.choices)


class AppealDecisionForm(PlainForm, forms.Form):
    outcome = forms.ChoiceField(label=_("裁决"), widget=forms.RadioSelect,
                                choices=[("uphold", _("申诉成立：重新判定并核准")), ("dismiss", _("申诉驳回：维持原驳回"))])
    reason = forms.CharField(label=_("裁决理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RecoveryForm(PlainForm, forms.Form):
    """6d: open a recovery on a paid claim: why, and how much (empty: all that was paid)."""

    reason_kind = forms.ChoiceField(label=_("追回原因"), choices=())
    reason = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    amount = forms.DecimalField(label=_("追回金额（元，空 = 已支付全额）"), min_value=Decimal("0.01"), max_digits=14,
                                decimal_places=2, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason_kind"].choices = [(kind, RecoveryReason(kind).label) for kind in CLAIM_REASONS]


class RepaymentForm(PlainForm, forms.Form):
    amount = forms.DecimalField(label=_("还款金额（元）"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    document_ref = forms.CharField(label=_("缴款凭证号"), max_length=128)


class AdvanceGrantForm(PlainForm, forms.Form):
    """3.6: the advance's key is drawn when the page is rendered, so a double click grants one advance."""

    idempotency_key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)


class BankReturnForm(PlainForm, forms.Form):
    """退票: what the bank's return notice says: why, its reference and its date."""

    reason = forms.CharField(label=_("退票原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    bank_ref = forms.CharField(label=_("银行退票凭证号"), max_length=64)
    returned_on = forms.DateField(label=_("退票日期"), widget=forms.DateInput(attrs={"type": "date"}))


class AiUpliftForm(PlainForm, forms.Form):
    """4.2: a city's AI uplift as a fraction, from a day, with its document; the service checks the 20%."""

    city = forms.ModelChoiceField(label=_("城市"), queryset=City.objects.order_by("code"))
    uplift = forms.DecimalField(label=_("上浮比例（0至0.20，0.15即15%）"), max_digits=6, decimal_places=4)
    valid_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.CharField(label=_("文件（文号）"), max_length=255)
