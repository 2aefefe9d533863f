"""The case page's forms: a note, evidence, a decision with its measures, lifting a listing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qiancheng.risk.cases import DESCRIPTION_MAX, REF_MAX
from qiancheng.risk.models import MeasureKind
from qiancheng.risk.services import TEXT_MAX

DATE = {"type": "date"}


class CaseNoteForm(forms.Form):
    text = forms.CharField(label=_("办案记录"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("证据文件（PDF、JPEG 或 PNG，不超过 10 MB）"))
    description = forms.CharField(label=_("说明"), max_length=DESCRIPTION_MAX, required=False)


class DecisionForm(forms.Form):
    """One decision: its measures (several may be ticked), the records they act on, reason and number."""

    measures = forms.MultipleChoiceField(
        label=_("处理措施"), widget=forms.CheckboxSelectMultiple,
        choices=[(kind.value, kind.label) for kind in MeasureKind if kind != MeasureKind.LIFTING])
    reason = forms.CharField(label=_("理由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    document_ref = forms.CharField(label=_("处理决定文号"), max_length=REF_MAX, required=False)
    claim = forms.TypedChoiceField(label=_("追回的申领"), coerce=int, required=False, empty_value=None)
    institution = forms.TypedChoiceField(label=_("所涉机构"), coerce=int, required=False, empty_value=None)
    person = forms.ChoiceField(label=_("列入黑名单的个人"), required=False)
    listed_from = forms.DateField(label=_("黑名单起始日（空为今日）"), required=False,
                                  widget=forms.DateInput(attrs=DATE))
    listed_until = forms.DateField(label=_("黑名单截止日（可空）"), required=False, widget=forms.DateInput(attrs=DATE))
    referral_document_ref = forms.CharField(label=_("移送书文号"), max_length=REF_MAX, required=False)
    referral_date = forms.DateField(label=_("移送日期"), required=False, widget=forms.DateInput(attrs=DATE))
    referred_to = forms.CharField(label=_("受理机关"), max_length=REF_MAX, required=False)
    close = forms.BooleanField(label=_("本决定后结案"), required=False, initial=True)

    def __init__(self, *args: Any, claims: list = (), institutions: list = (), persons: list = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claim"].choices = [("", "—"), *((claim.pk, claim.number) for claim in claims)]
        self.fields["institution"].choices = [("", "—"), *((each.pk, each.name) for each in institutions)]
        self.fields["person"].choices = [("", "—"), *((each.pk, f"{each.name} {each.id_number_masked}")
                                                      for each in persons)]


class LiftForm(forms.Form):
    listing = forms.TypedChoiceField(label=_("解除的黑名单记录"), coerce=int)
    last_day = forms.DateField(label=_("最后列入日（最早为昨日）"), widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label=_("理由"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    document_ref = forms.CharField(label=_("解除决定文号"), max_length=REF_MAX, required=False)

    def __init__(self, *args: Any, listings: list = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["listing"].choices = [(entry.pk, _listing_label(entry)) for entry in listings]


def _listing_label(entry: Any) -> str:
    party = entry.institution.name if entry.institution_id else entry.person.id_number_masked
    until = entry.listed_until.isoformat() if entry.listed_until else "…"
    return f"#{entry.pk} {party} {entry.listed_from.isoformat()}–{until}"
