"""Forms of the worker pages (skill gaps, consent). They only shape input; the rules are demand/worker_services.py's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import SkillLevel
from qiancheng.demand.worker_models import ConsentScope, Willingness


class WorkerNeedForm(forms.Form):
    """One gap: the occupation and level wanted, where, and whether the worker would train (1c)."""

    occupation = forms.CharField(label=_("职业编码"), max_length=16, help_text=_("如 4-10-01-05"))
    level = forms.TypedChoiceField(label=_("技能等级"), coerce=int, choices=SkillLevel.choices)
    county = forms.CharField(label=_("县（市、区）代码"), max_length=6)
    willingness = forms.ChoiceField(label=_("培训意愿"), choices=Willingness.choices)


class OnBehalfForm(WorkerNeedForm):
    """The community or job centre reports for a worker, who is found by the ID number (never shown back)."""

    id_number = forms.CharField(label=_("身份证号"), max_length=18, min_length=15,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))

    field_order = ("id_number", "occupation", "level", "county", "willingness")


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(label=_("授权范围"), choices=ConsentScope.choices, widget=forms.RadioSelect)
