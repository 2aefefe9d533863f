"""The risk pages' forms: filters, opening a case, a note, a decision, closing a case."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qiancheng.risk.models import SignalStatus
from qiancheng.risk.services import TEXT_MAX, TITLE_MAX
from qiancheng.risk.signals import RULES


class SignalFilter(forms.Form):
    rule = forms.ChoiceField(label=_("规则"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), *SignalStatus.choices])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部")), *((code, rule.label) for code, rule in RULES.items())]


class OpenCaseForm(forms.Form):
    title = forms.CharField(label=_("案件名称"), max_length=TITLE_MAX)
    signals = forms.TypedMultipleChoiceField(label=_("风险信号"), coerce=int, required=False)
    candidates = forms.TypedMultipleChoiceField(label=_("疑似同一人"), coerce=int, required=False)

    def __init__(self, *args: object, signal_ids: list[int] = (), candidate_ids: list[int] = (),
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signals"].choices = [(pk, str(pk)) for pk in signal_ids]
        self.fields["candidates"].choices = [(pk, str(pk)) for pk in candidate_ids]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("结论"), choices=[("confirm", _("确认为同一人")), ("dismiss", _("排除"))])
    reason = forms.CharField(label=_("理由"), max_length=TEXT_MAX)


class UndoForm(forms.Form):
    reason = forms.CharField(label=_("撤销合并的理由"), max_length=TEXT_MAX)
