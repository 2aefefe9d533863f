"""The province's pages of the catalogue's editable lists: the supported border/port industrial parks
(`/catalog/parks/`, 4.1) and Guangxi's special-ability items (`/catalog/items/`, 3.2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import public
from qiancheng.catalog.forms import DeactivateItemForm, EndParkForm, ItemForm, NewParkForm, ParkForm
from qiancheng.catalog.models import IndustrialPark, SpecialAbilityItem
from qiancheng.catalog.parks import add_park, edit_park, end_park
from qiancheng.catalog.special_items import add_item, deactivate_item
from qiancheng.clock import today
from qiancheng.web.refusals import refusal_text

PROVINCE = {Role.PROVINCE_OFFICIAL}


def _refused(form: Form, refusal: ValidationError) -> None:
    """The service's reasons, on the fields they name (a field the form lacks goes to the top)."""
    problems = refusal.message_dict if hasattr(refusal, "error_dict") else {"__all__": refusal.messages}
    for field, reasons in problems.items():
        for reason in reasons:
            form.add_error(field if field in form.fields else None, reason)


@signed_in_as(PROVINCE)
def park_list(request: HttpRequest) -> HttpResponse:
    """Every park the list ever held, whether on the list today, and the form that adds one."""
    form = NewParkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            park = add_park(request.user, form.cleaned_data["code"], form.entry())
        except ValidationError as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, _("已将园区“%(name)s”加入名单。") % {"name": park.name})
            return redirect("catalog:park_list")
    parks = IndustrialPark.objects.select_related("city").order_by("code")
    rows = [{"park": park, "listed": park.in_force_on(today())} for park in parks]
    return render(request, "catalog/parks.html", {"rows": rows, "form": form},
                  status=422 if form.errors else 200)


@public  # the province's list of parks is the same for everyone, not a city's record
@signed_in_as(PROVINCE)
def park_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Correct a park, or end its listing from a day, each with its own form and button."""
    park = get_object_or_404(IndustrialPark, code=code)
    initial = {"name": park.name, "city": park.city_id, "source_document": park.source_document,
               "valid_from": park.valid_from, "valid_to": park.valid_to, "note": park.note}
    action = request.POST.get("action", "")
    edit_form = ParkForm(request.POST if action == "edit" else None, initial=initial)
    end_form = EndParkForm(request.POST if action == "end" else None)
    if request.method == "POST":
        form: Form = edit_form if action == "edit" else end_form
        if form.is_valid():
            try:
                if action == "edit":
                    edit_park(request.user, park, edit_form.entry(), reason=_("园区名单页修改"))
                else:
                    end_park(request.user, park, end_form.cleaned_data["last_day"], end_form.cleaned_data["reason"])
            except ValidationError as refusal:
                _refused(form, refusal)
            else:
                messages.success(request, _("已保存园区“%(name)s”。") % {"name": park.name})
                return redirect("catalog:park_detail", code=park.code)
    failed = bool(edit_form.errors or end_form.errors)
    context = {"park": park, "edit_form": edit_form, "end_form": end_form, "listed": park.in_force_on(today())}
    return render(request, "catalog/park_detail.html", context, status=422 if failed else 200)


def _items_page(request: HttpRequest, form: ItemForm, status: int = 200) -> HttpResponse:
    items = SpecialAbilityItem.objects.order_by("-is_active", "code")
    return render(request, "catalog/items.html", {"items": items, "form": form, "deactivate_form": DeactivateItemForm()},
                  status=status)


@signed_in_as(PROVINCE)
def item_list(request: HttpRequest) -> HttpResponse:
    """Every special-ability item, its document (or "starter list, unverified"), and the form that adds one."""
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = add_item(request.user, form.entry())
        except ValidationError as refusal:
            _refused(form, refusal)
        else:
            messages.success(request, _("已新增专项职业能力项目“%(name)s”。") % {"name": item.name})
            return redirect("catalog:item_list")
    return _items_page(request, form, status=422 if form.errors else 200)


@public  # the province's item list is the same for everyone, not a city's record
@signed_in_as(PROVINCE)
@require_POST
def item_deactivate(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(SpecialAbilityItem, code=code)
    form = DeactivateItemForm(request.POST)
    if form.is_valid():
        try:
            deactivate_item(request.user, item, form.cleaned_data["reason"])
        except ValidationError as refusal:
            messages.error(request, refusal_text(refusal))
        else:
            messages.success(request, _("已停用专项职业能力项目“%(name)s”。") % {"name": item.name})
    else:
        messages.error(request, _("请说明停用原因。"))
    return redirect("catalog:item_list")
