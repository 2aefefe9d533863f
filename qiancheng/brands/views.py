"""Brand pages (1d, 1e): the officials' registry at /brands/, a brand's page, and the public page of
published brands with their figures. Views read through the city scope and call brands/services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import NOT_FOUND_MESSAGE, get_scoped_or_404, public, scoped
from qiancheng.brands import services
from qiancheng.brands.figures import brand_figures
from qiancheng.brands.forms import DecisionForm, LinkForm, ProposeForm
from qiancheng.brands.models import BrandStatus, TrainingBrand
from qiancheng.training.models import APPROVED_STATES, TrainingClass
from qiancheng.web.language import in_page_language
from qiancheng.web.refusals import refusal_text

OFFICIALS = (Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL)
BRAND_FIELDS = ("city", "county", "enterprise", "occupation", "item")


def _registry(request: HttpRequest, form: ProposeForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    if form is None and user.role == Role.CITY_OFFICIAL:
        form = ProposeForm(city_id=user.city_id)
    rows = scoped(TrainingBrand.objects.select_related(*BRAND_FIELDS), user).order_by("status", "city_id", "name")
    return render(request, "brands/registry.html", {"brands": rows, "form": form}, status=status)


@signed_in_as(OFFICIALS)
@require_safe
def registry(request: HttpRequest) -> HttpResponse:
    """`/brands/`: the brands the official sees; a city proposes one here."""
    return _registry(request)


@signed_in_as({Role.CITY_OFFICIAL})
@require_POST
def propose(request: HttpRequest) -> HttpResponse:
    form = ProposeForm(request.POST, city_id=request.user.city_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            brand = services.propose_brand(request.user, name=data["name"], description=data["description"],
                                           classes=data["classes"])
        except services.NameRefused as refused:
            for problem in refused.problems:
                form.add_error("name", in_page_language(problem.zh, problem.en))
        except (ValidationError, PermissionDenied) as refusal:
            form.add_error(None, refusal_text(refusal))
        else:
            messages.success(request, _("培训品牌已申报，等待自治区人社厅发布。"))
            return redirect("brands:brand", pk=brand.pk)
    return _registry(request, form, status=422)


def _brand_page(request: HttpRequest, brand: TrainingBrand, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    linked = brand.classes.select_related("institution").order_by("-start_date", "pk")
    city_here = user.role == Role.CITY_OFFICIAL and user.city_id == brand.city_id
    offered = None
    if city_here:
        trade = {"occupation_id": brand.occupation_id} if brand.occupation_id else {"item_id": brand.item_id}
        offered = (TrainingClass.objects.filter(city_id=user.city_id, status__in=APPROVED_STATES, **trade)
                   .exclude(pk__in=linked.values("pk")).select_related("institution").order_by("-start_date", "pk"))
    return render(request, "brands/brand.html", {
        "brand": brand, "figures": brand_figures(brand), "classes": linked,
        "link_form": forms.get("link_form") or (LinkForm(offered=offered) if offered is not None else None),
        "decision_form": forms.get("decision_form") or (
            DecisionForm() if user.role == Role.PROVINCE_OFFICIAL and brand.status == BrandStatus.PROPOSED else None),
    }, status=status)


def _brand(request: HttpRequest, pk: int) -> TrainingBrand:
    return get_scoped_or_404(TrainingBrand.objects.select_related(*BRAND_FIELDS), request.user, pk=pk)


@signed_in_as(OFFICIALS, hide=True)
@require_safe
def brand(request: HttpRequest, pk: int) -> HttpResponse:
    """`/brands/<pk>/`: a brand, its classes and its figures, computed from the records."""
    return _brand_page(request, _brand(request, pk))


@signed_in_as({Role.CITY_OFFICIAL}, hide=True)
@require_POST
def link(request: HttpRequest, pk: int) -> HttpResponse:
    found = _brand(request, pk)
    # Any class of the city may be posted; the service says why one that does not fit is refused.
    form = LinkForm(request.POST, offered=TrainingClass.objects.filter(city_id=request.user.city_id))
    if form.is_valid():
        try:
            services.link_classes(request.user, found, form.cleaned_data["classes"])
        except (ValidationError, PermissionDenied) as refusal:
            form.add_error(None, refusal_text(refusal))
        else:
            messages.success(request, _("培训班已关联。"))
            return redirect("brands:brand", pk=found.pk)
    return _brand_page(request, found, status=422, link_form=form)


@signed_in_as({Role.PROVINCE_OFFICIAL}, hide=True)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = _brand(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decision(request.user, found, form.cleaned_data["decision"], form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as refusal:
            form.add_error("reason" if "reason" in str(refusal) else None, refusal_text(refusal))
        else:
            messages.success(request, _("结论已保存。"))
            return redirect("brands:brand", pk=found.pk)
    return _brand_page(request, found, status=422, decision_form=form)


# ---- The public page (1e 宣传推广) ----

def _published() -> Any:
    return TrainingBrand.objects.filter(status=BrandStatus.PUBLISHED).select_related(*BRAND_FIELDS)


@public
@require_safe
def published(request: HttpRequest) -> HttpResponse:
    """`/brands/published/`: every published brand with its figures, small counts suppressed."""
    rows = [{"brand": each, "figures": brand_figures(each).public()} for each in _published().order_by("city_id", "name")]
    return render(request, "brands/published.html", {"rows": rows})


@public  # published brands are the same for everyone; an unpublished one is not found for anyone here
@require_safe
def published_brand(request: HttpRequest, pk: int) -> HttpResponse:
    found = _published().filter(pk=pk).first()
    if found is None:
        raise Http404(NOT_FOUND_MESSAGE)
    classes = found.classes.select_related("institution").order_by("-start_date", "pk")
    return render(request, "brands/published_brand.html",
                  {"brand": found, "figures": brand_figures(found).public(), "classes": classes})
