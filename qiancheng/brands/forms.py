"""Forms of the brand pages. They only shape input; the rules live in brands/services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qiancheng.brands.models import NAME_MAX, REASON_MAX
from qiancheng.training.models import APPROVED_STATES, TrainingClass
from qiancheng.web.forms import PlainForm

CLASSES_OFFERED = 200


class ClassChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.institution.name}，{obj.start_date:%Y-%m-%d}）"


def city_classes(city_id: str) -> Any:
    """The city's approved classes, newest first: what a city may link to its brands."""
    return (TrainingClass.objects.filter(city_id=city_id, status__in=APPROVED_STATES)
            .select_related("institution").order_by("-start_date", "pk")[:CLASSES_OFFERED])


class ProposeForm(PlainForm, forms.Form):
    name = forms.CharField(label=_("品牌名称"), max_length=NAME_MAX,
                           help_text=_("地方名（企业名）＋职业（工种）名称＋培训，如“南宁养老护理员培训”"))
    description = forms.CharField(label=_("品牌简介"), max_length=REASON_MAX, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    classes = ClassChoice(label=_("关联培训班（可稍后关联）"), required=False, queryset=TrainingClass.objects.none(),
                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, city_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = TrainingClass.objects.filter(
            pk__in=[each.pk for each in city_classes(city_id)]).select_related("institution")


class LinkForm(PlainForm, forms.Form):
    classes = ClassChoice(label=_("关联培训班"), queryset=TrainingClass.objects.none(),
                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, offered: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classes"].queryset = offered


class DecisionForm(PlainForm, forms.Form):
    decision = forms.ChoiceField(label=_("结论"), choices=[("publish", _("发布")), ("decline", _("不予发布，说明理由"))])
    reason = forms.CharField(label=_("理由（不予发布时必填）"), max_length=REASON_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
