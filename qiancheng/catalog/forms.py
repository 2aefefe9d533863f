"""Forms of the province's park list page (4.1)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.models import City, plan_min_hours
from qiancheng.catalog.parks import ParkEntry
from qiancheng.catalog.special_items import ItemEntry
from qiancheng.web.forms import PlainForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ParkForm(PlainForm, forms.Form):
    """A park's name, city, the document naming it and its period; the service checks them again."""

    name = forms.CharField(label=_("园区名称"), max_length=64)
    city = forms.ModelChoiceField(label=_("所在市"), queryset=City.objects.order_by("code"))
    source_document = forms.CharField(label=_("依据文件（名称、文号）"), max_length=255)
    valid_from = forms.DateField(label=_("起始日期"), widget=DATE)
    valid_to = forms.DateField(label=_("终止日期（可空）"), widget=DATE, required=False)
    note = forms.CharField(label=_("说明"), max_length=255, required=False)

    def entry(self) -> ParkEntry:
        data: dict[str, Any] = self.cleaned_data
        return ParkEntry(name=data["name"], city=data["city"], source_document=data["source_document"],
                         valid_from=data["valid_from"], valid_to=data["valid_to"], note=data["note"])


class NewParkForm(ParkForm):
    code = forms.SlugField(label=_("代码（英文小写，如 qinzhou_port）"), max_length=32)

    field_order = ["code", "name", "city", "source_document", "valid_from", "valid_to", "note"]


class EndParkForm(PlainForm, forms.Form):
    last_day = forms.DateField(label=_("最后一天"), widget=DATE)
    reason = forms.CharField(label=_("原因（文件或说明）"), max_length=255)


class ItemForm(PlainForm, forms.Form):
    """A special-ability item as the province publishes it; the service checks it again (3.2)."""

    code = forms.CharField(label=_("项目编码（以公布文件为准）"), max_length=32)
    name = forms.CharField(label=_("项目名称"), max_length=64)
    min_hours = forms.IntegerField(label=_("最低课时"), min_value=1, max_value=2000)
    source_document = forms.CharField(label=_("公布文件（名称、文号）"), max_length=255)
    note = forms.CharField(label=_("说明"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["min_hours"].initial = plan_min_hours()

    def entry(self) -> ItemEntry:
        data: dict[str, Any] = self.cleaned_data
        return ItemEntry(code=data["code"], name=data["name"], min_hours=data["min_hours"],
                         source_document=data["source_document"], note=data["note"])


class DeactivateItemForm(PlainForm, forms.Form):
    reason = forms.CharField(label=_("停用原因（文件或说明）"), max_length=255)
