"""The optional targets (1a) on the progress page: the table of each training type's and programme's target against
its trainings (province and cities), the province's form, its check step (what will be recorded, and the entry it
supersedes) and the deliberate click that records it (`insight.optional_targets`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.clock import today
from qiancheng.insight import optional_targets
from qiancheng.policy.params import plan_figures
from qiancheng.web.forms import PlainForm
from qiancheng.web.refusals import valid_or_messages


def _years() -> list[tuple[int, str]]:
    return [(year, str(year)) for year in plan_figures().target_years()]


class OptionalTargetForm(PlainForm, forms.Form):
    """1a: the province's target of a year for one training type or one programme, from a day, with its document."""

    year = forms.TypedChoiceField(label=gettext_lazy("年度"), choices=_years, coerce=int)
    subject = forms.ChoiceField(label=gettext_lazy("培训类型或专项培训"), choices=optional_targets.subject_choices)
    count = forms.IntegerField(label=gettext_lazy("目标人次"), min_value=1, max_value=optional_targets.COUNT_MAX)
    valid_from = forms.DateField(label=gettext_lazy("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.CharField(label=gettext_lazy("文件文号"), max_length=optional_targets.DOCUMENT_MAX)

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned form as `check_optional_target` / `set_optional_target` take it."""
        data = self.cleaned_data
        kind, _sep, code = data["subject"].partition(":")
        return {"training_type": code if kind == optional_targets.TRAINING_TYPE else None,
                "programme_tag": code if kind == optional_targets.PROGRAMME_TAG else None,
                "count": data["count"], "document": data["document"], "valid_from": data["valid_from"]}


def progress_context(user: Any, year: int, bound: OptionalTargetForm | None = None) -> dict[str, Any]:
    """What the progress page shows of the optional targets: the table, every entry of the year, and the form
    (the province's only)."""
    if getattr(user, "role", None) not in optional_targets.READERS:
        return {}
    form = None
    if user.role == Role.PROVINCE_OFFICIAL:
        form = bound or OptionalTargetForm(initial={"year": year, "valid_from": today()})
    return {"optional": optional_targets.progress(user, year),
            "optional_history": optional_targets.entries(user, year).order_by(
                "training_type", "programme_tag__sort_order", "-valid_from", "-pk"),
            "optional_form": form}


def _back(year: int | None = None) -> HttpResponse:
    query = f"?year={year}" if year else ""
    return redirect(f"{reverse('insight:progress')}{query}#optional-targets")


def _refused(request: HttpRequest, refusal: ValidationError | PermissionDenied) -> None:
    from qiancheng.insight.views import _one_language

    messages.error(request, _one_language(refusal))


def _form_or_errors(request: HttpRequest) -> OptionalTargetForm | None:
    return valid_or_messages(request, OptionalTargetForm(request.POST))


@require_POST
@signed_in_as({Role.PROVINCE_OFFICIAL})
def optional_target_check(request: HttpRequest) -> HttpResponse:
    """Check your answers before an entry that is never edited: the year, the subject, the count, the day, the
    document, and the target in force that it supersedes. Nothing is recorded by this step."""
    form = _form_or_errors(request)
    if form is None:
        return _back()
    try:
        proposed = optional_targets.check_optional_target(request.user, form.cleaned_data["year"],
                                                          **form.service_arguments())
    except (ValidationError, PermissionDenied) as refusal:
        _refused(request, refusal)
        return _back(form.cleaned_data["year"])
    return render(request, "insight/optional_target_check.html", {"form": form, "proposed": proposed})


@require_POST
@signed_in_as({Role.PROVINCE_OFFICIAL})
def optional_target_set(request: HttpRequest) -> HttpResponse:
    """The deliberate click: the entry is recorded (`set_optional_target`) and the page shows it in force."""
    form = _form_or_errors(request)
    if form is None:
        return _back()
    try:
        entry = optional_targets.set_optional_target(request.user, form.cleaned_data["year"],
                                                     **form.service_arguments())
    except (ValidationError, PermissionDenied) as refusal:
        _refused(request, refusal)
        return _back(form.cleaned_data["year"])
    messages.success(request, _("已记录%(year)s年%(subject)s目标%(count)s人次（%(doc)s），自%(day)s起生效。") % {
        "year": entry.year, "subject": optional_targets.Subject.of(entry).label, "count": f"{entry.count:,}",
        "doc": entry.document, "day": entry.valid_from.isoformat()})
    return _back(entry.year)
