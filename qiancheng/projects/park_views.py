"""A park's page (4.1): its operating company, the demand its enterprises reported, the projects they
applied for and where each project's joint confirmation of effect stands (3.4d).

It lives with projects because it reads projects (a layer above demand). Readers: the province, the
officials of the park's city, and the park's operating company (demand/parks.py); anyone else, including
another city, gets the same 404 as for a park that does not exist (the park is scoped in DemandConfig).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.catalog.models import IndustrialPark
from qiancheng.demand.models import DemandReport, Enterprise, EnterpriseStatus
from qiancheng.demand.parks import appoint_park_operator, operates, operator_of
from qiancheng.projects.models import Project
from qiancheng.web.forms import PlainForm
from qiancheng.web.refusals import refusal_text

READERS = {Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL, Role.ENTERPRISE}
LIST_SHOWN = 500


class OperatorForm(PlainForm, forms.Form):
    enterprise = forms.ModelChoiceField(label=gettext_lazy("园区运营主体"), queryset=Enterprise.objects.none())

    def __init__(self, *args: Any, park: IndustrialPark, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.filter(
            park=park, status=EnterpriseStatus.APPROVED).order_by("name")


def _may_appoint(user: Any, park: IndustrialPark) -> bool:
    return user.role == Role.PROVINCE_OFFICIAL or user.role == Role.CITY_OFFICIAL and user.city_id == park.city_id


def _page(request: HttpRequest, park: IndustrialPark, form: OperatorForm | None = None,
          status: int = 200) -> HttpResponse:
    user = request.user
    reports = (scoped(DemandReport, user).filter(enterprise__park=park)
               .select_related("census_round", "enterprise", "occupation", "county", "industry")
               .order_by("-census_round__period_from", "enterprise__name", "pk"))
    projects = (scoped(Project, user).filter(applicant__park=park).select_related("applicant", "chosen_institution")
                .order_by("-created_at"))
    return render(request, "projects/park.html", {
        "park": park, "operator": operator_of(park), "operates": operates(user, park),
        "reports": reports[:LIST_SHOWN], "projects": projects[:LIST_SHOWN],
        "enterprises": scoped(Enterprise, user).filter(park=park).order_by("name") if user.role != Role.ENTERPRISE
        else None,
        "form": form or (OperatorForm(park=park) if _may_appoint(user, park) else None),
    }, status=status)


def _park(request: HttpRequest, code: str) -> IndustrialPark:
    return get_scoped_or_404(IndustrialPark.objects.select_related("city"), request.user, code=code)


@signed_in_as(READERS)
@require_safe
def parks(request: HttpRequest) -> HttpResponse:
    """`/projects/parks/`: the parks the user may open (an operating company: its own)."""
    rows = scoped(IndustrialPark.objects.select_related("city"), request.user).filter(is_active=True).order_by("code")
    return render(request, "projects/parks.html", {"parks": rows})


@signed_in_as(READERS, hide=True)
@require_safe
def park(request: HttpRequest, code: str) -> HttpResponse:
    """`/projects/parks/<code>/`: the park's operator, demand reports, projects and their confirmations."""
    return _page(request, _park(request, code))


@signed_in_as({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL}, hide=True)
@require_POST
def appoint(request: HttpRequest, code: str) -> HttpResponse:
    found = _park(request, code)
    form = OperatorForm(request.POST, park=found)
    if form.is_valid():
        try:
            appoint_park_operator(request.user, found, form.cleaned_data["enterprise"])
        except (ValidationError, PermissionDenied) as refusal:
            form.add_error(None, refusal_text(refusal))
        else:
            messages.success(request, _("已指定园区运营主体。"))
            return redirect("projects:park", code=found.code)
    return _page(request, found, form, status=422)
