"""Forms of the progress page: they read what an official typed; `insight.services` decides what may be kept."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.models import City
from qiancheng.insight.services import COUNT_MAX, DOCUMENT_MAX
from qiancheng.policy.params import plan_figures
from qiancheng.web.forms import PlainForm


def _years() -> list[tuple[int, str]]:
    return [(year, str(year)) for year in plan_figures().target_years()]


class YearForm(forms.Form):
    """The year shown (the plan's years only)."""

    year = forms.TypedChoiceField(label=_("年度"), choices=_years, coerce=int)


class TargetForm(PlainForm, forms.Form):
    """1a: a year's target for a city (or the whole province), from a day, with the document that sets it."""

    year = forms.TypedChoiceField(label=_("年度"), choices=_years, coerce=int)
    city = forms.ModelChoiceField(label=_("城市（不选即全区目标）"), queryset=City.objects.order_by("code"),
                                  required=False)
    count = forms.IntegerField(label=_("目标人次"), min_value=1, max_value=COUNT_MAX)
    valid_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.CharField(label=_("文件文号"), max_length=DOCUMENT_MAX)


class RatingAppealForm(PlainForm, forms.Form):
    """1c: the institution's appeal against a month's rating, with its reason."""

    reason = forms.CharField(label=_("申诉理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class RatingDecisionForm(PlainForm, forms.Form):
    """1c: the official's decision on an appeal: keep the stars, or revise them, with a note."""

    revised_stars = forms.TypedChoiceField(label=_("改定星级（不选即维持原星级）"), required=False, coerce=int,
                                           empty_value=None, choices=[("", "—")] + [(n, str(n)) for n in range(1, 6)])
    note = forms.CharField(label=_("复核意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class GapFilterForm(forms.Form):
    """The demand gap's window and city (1c); all optional: this year to date, every city in scope."""

    date_from = forms.DateField(label=_("统计起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("统计截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    city = forms.ModelChoiceField(label=_("城市"), queryset=City.objects.order_by("code"), required=False)
