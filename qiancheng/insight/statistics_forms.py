"""The statistics page's filters (6a): what the reader asked; `insight.statistics` narrows it to their scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qiancheng.clock import today
from qiancheng.insight import statistics

YEAR_MIN, YEAR_MAX = 2000, 2100
KEY_GROUP_CHOICES = [("", _("全部")), ("yes", _("重点群体")), ("no", _("非重点群体"))]
EXPORT_TABLES = statistics.PAGE_TABLES


def _optional(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", _("全部")), *choices]


class StatisticsFilterForm(forms.Form):
    """Every filter optional but the year (this year when not given)."""

    year = forms.IntegerField(label=_("年度"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)
    month = forms.TypedChoiceField(label=_("月份"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("全年")), *[(m, str(m)) for m in range(1, 13)]])
    city = forms.ChoiceField(label=_("城市"), required=False)
    county = forms.ChoiceField(label=_("县（市、区）"), required=False)
    training_type = forms.ChoiceField(label=_("培训类型"), required=False)
    training_form = forms.ChoiceField(label=_("培训形式"), required=False)
    fund = forms.ChoiceField(label=_("资金来源"), required=False)
    occupation = forms.RegexField(label=_("职业编码"), regex=r"^[0-9A-Za-z\-]{1,16}$", required=False, max_length=16)
    industry = forms.ChoiceField(label=_("产业"), required=False)
    key_group = forms.ChoiceField(label=_("人员类别"), required=False, choices=KEY_GROUP_CHOICES)
    programme_tag = forms.ChoiceField(label=_("重点任务"), required=False)
    institution = forms.IntegerField(label=_("培训机构编号"), min_value=1, max_value=2_147_483_647, required=False)

    def __init__(self, scope: statistics.Scope, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = statistics.filter_choices(scope)
        fields: dict[str, Any] = self.fields
        for name, values in choices.items():
            fields[name].choices = _optional(values)

    def filters(self) -> statistics.Filters:
        """The filters asked (an invalid form: this year, nothing else)."""
        if not self.is_bound or not self.is_valid():
            return statistics.Filters(year=today().year)
        data = self.cleaned_data
        return statistics.Filters(
            year=data["year"] or today().year, month=data["month"], city=data["city"] or None,
            county=data["county"] or None, training_type=data["training_type"] or None,
            training_form=data["training_form"] or None, fund=data["fund"] or None,
            occupation=data["occupation"] or None, industry=data["industry"] or None,
            key_group={"yes": True, "no": False}.get(data["key_group"]), programme_tag=data["programme_tag"] or None,
            institution=data["institution"])


class IndustryPlanForm(forms.Form):
    """6: the department's plan for a year: one occupation code and its trainings per line ("4-04-05-05 120")."""

    year = forms.IntegerField(label=_("年度"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    document = forms.CharField(label=_("文件文号"), max_length=255)
    lines = forms.CharField(label=_("职业编码与计划人次（每行一个，如 4-04-05-05 120）"), max_length=20000,
                            widget=forms.Textarea(attrs={"rows": 8}))

    def clean_lines(self) -> list[tuple[str, int]]:
        parsed: list[tuple[str, int]] = []
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2 or not parts[1].isdigit():
                raise forms.ValidationError(_("第%(number)s行应为“职业编码 人次”") % {"number": number})
            parsed.append((parts[0], int(parts[1])))
        return parsed
