"""`/insight/what-if/`: the province's parameter drafts and their replay over stored claims (R4, docs/what-if.md).
The pages read forms and call `insight.what_if`, which writes drafts and runs the replay."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import City
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.funding.models import FundSource
from qiancheng.insight import what_if
from qiancheng.insight.models import ParameterDraft, WhatIfReplay, WhatIfReplayStatus
from qiancheng.policy.vocabulary import COURSE_KINDS
from qiancheng.web.forms import PlainForm
from qiancheng.web.language import page_is_english
from qiancheng.web.listing import Sort, listing

PROVINCE = {Role.PROVINCE_OFFICIAL}
DATE = forms.DateInput(attrs={"type": "date"})
SHOWN = 500  # changed claims listed on the page; the API gives them all
RECENT = 10  # the draft's latest replays listed on its page
REFRESH_SECONDS = 3  # how often a replay's page reloads while the worker runs it


class DraftForm(PlainForm, forms.Form):
    title = forms.CharField(label=_("草案名称"), max_length=what_if.TITLE_MAX)


class ChangeForm(PlainForm, forms.Form):
    """One change; which fields count depends on the kind (what_if.checked_change reads them)."""

    kind = forms.ChoiceField(label=_("变更类型"), choices=[
        ("standard", _("补贴标准")), ("ui_standard", _("失业保险基金培训补贴标准")),
        ("ai_uplift", _("人工智能职业上浮比例")), ("plan_figure", _("计划数值（门槛、专账金额）"))])
    training_type = forms.ChoiceField(label=_("培训类型"), choices=[("", "—"), *TrainingType.choices], required=False)
    level = forms.TypedChoiceField(label=_("职业技能等级"), choices=[("", "—")] + [(n, str(n)) for n in range(1, 6)],
                                   coerce=int, empty_value=None, required=False)
    course_kind = forms.ChoiceField(label=_("创业培训课程"), choices=[("", "—")] + [(k, k) for k in COURSE_KINDS],
                                    required=False)
    city = forms.ModelChoiceField(label=_("城市"), queryset=City.objects.order_by("code"), required=False)
    name = forms.ChoiceField(label=_("计划数值"), required=False, choices=[("", "—"), *[
        (name, name) for name in what_if.PLAN_FIGURES]])
    amount = forms.DecimalField(label=_("金额或数值"), max_digits=12, decimal_places=4, min_value=0)
    valid_from = forms.DateField(label=_("有效期起"), widget=DATE, required=False)
    valid_to = forms.DateField(label=_("有效期止（可不填）"), widget=DATE, required=False)

    def change(self) -> dict[str, Any]:
        data = self.cleaned_data
        city = data.get("city")
        return {"kind": data["kind"], "training_type": data.get("training_type") or None, "level": data.get("level"),
                "course_kind": data.get("course_kind") or None, "city_code": city.code if city else "",
                "name": data.get("name") or None, "amount": data["amount"], "uplift": data["amount"],
                "value": data["amount"], "valid_from": data.get("valid_from"), "valid_to": data.get("valid_to")}


class PeriodForm(PlainForm, forms.Form):
    date_from = forms.DateField(label=_("培训结束日期起"), widget=DATE)
    date_to = forms.DateField(label=_("培训结束日期止"), widget=DATE)


def _refusal_text(refusal: what_if.DraftRefused) -> str:
    return refusal.en if page_is_english() else refusal.zh


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_as(PROVINCE)
def drafts(request: HttpRequest) -> HttpResponse:
    form = DraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = what_if.create_draft(request.user, form.cleaned_data["title"])
        except what_if.DraftRefused as refusal:
            form.add_error("title", _refusal_text(refusal))
        else:
            return redirect("insight:what_if_draft", draft_id=draft.pk)
    listed = listing(request, ParameterDraft.objects.select_related("author"), search=("title",),
                     search_label=_("草案名称"), sorts=[Sort("new", _("最新在前"), ("-created_at", "-pk"))])
    return render(request, "insight/what_if_drafts.html", {"form": form, "listed": listed})


STAGES = {"export": _("导出申领"), "packaged": _("按现行参数判定"), "draft": _("按草案判定"), "compare": _("比较")}


def _changed_rows(result: what_if.Replay | None) -> list[dict[str, Any]]:
    """The changed claims with the names of their city, fund and type (the page's language, not codes)."""
    if result is None:
        return []
    cities = what_if.city_names()
    funds = dict(FundSource.choices)
    types = dict(TrainingType.choices)
    return [{"claim": claim, "city": cities.get(claim.city, claim.city), "fund": funds.get(claim.fund, claim.fund),
             "type": types.get(claim.training_type, claim.training_type)} for claim in result.changed[:SHOWN]]


def _tables(result: what_if.Replay | None) -> list[tuple[Any, str, list[tuple[str, what_if.Group]]]]:
    """The three breakdowns with each key's name: (heading, test id, [(name, group)])."""
    if result is None:
        return []
    cities = what_if.city_names()
    funds = {str(key): str(label) for key, label in FundSource.choices}
    types = {str(key): str(label) for key, label in TrainingType.choices}
    return [(_("按城市"), "city", [(cities.get(g.key, g.key), g) for g in result.by_city]),
            (_("按资金渠道"), "fund", [(funds.get(g.key, g.key), g) for g in result.by_fund]),
            (_("按培训类型"), "type", [(types.get(g.key, g.key), g) for g in result.by_type])]


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_as(PROVINCE, hide=True)
def draft_page(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(ParameterDraft.objects.select_related("author"), pk=draft_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    change_form = ChangeForm(request.POST if action == "add" else None)
    year = today().year
    period_form = PeriodForm(request.POST if action == "replay" else None, initial={
        "date_from": today().replace(month=1, day=1), "date_to": today().replace(year=year, month=12, day=31)})
    problem = ""
    if action == "add" and change_form.is_valid():
        try:
            what_if.add_change(request.user, draft.pk, change_form.change())
        except what_if.DraftRefused as refusal:
            change_form.add_error(None, _refusal_text(refusal))
        else:
            return redirect("insight:what_if_draft", draft_id=draft.pk)
    elif action == "remove":
        try:
            what_if.remove_change(request.user, draft.pk, int(request.POST.get("position") or 0))
        except (ValueError, what_if.DraftRefused):
            problem = str(_("没有这一项变更"))
        else:
            return redirect("insight:what_if_draft", draft_id=draft.pk)
    elif action == "replay" and period_form.is_valid():
        try:
            job = what_if.queue_replay(request.user, draft, period_form.cleaned_data["date_from"],
                                       period_form.cleaned_data["date_to"])
        except what_if.DraftRefused as refusal:
            period_form.add_error(None, _refusal_text(refusal))
        else:
            # Answered at once: the replay runs on the task queue and its page shows its progress, then its result.
            return redirect("insight:what_if_replay", draft_id=draft.pk, replay_id=job.pk)
    draft.refresh_from_db()
    return render(request, "insight/what_if_draft.html", {
        "draft": draft, "changes": [(n, what_if.describe_change(c)) for n, c in enumerate(draft.changes, start=1)],
        "change_form": change_form, "period_form": period_form, "problem": problem,
        "replays": [(job, _progress_text(job)) for job in draft.replays.order_by("-requested_at", "-pk")[:RECENT]],
        "limit": what_if.MAX_REPLAY_CLAIMS,
    }, status=422 if (change_form.errors or period_form.errors) else 200)


def _progress_text(job: WhatIfReplay) -> str:
    zh, en = what_if.replay_progress(job)
    return en if page_is_english() else zh


@require_http_methods(["GET", "HEAD"])
@signed_in_as(PROVINCE, hide=True)
def replay_page(request: HttpRequest, draft_id: int, replay_id: int) -> HttpResponse:
    """One replay: its progress line while the worker runs it (the page reloads itself every few seconds, no
    script needed), then the stored result."""
    job = get_object_or_404(WhatIfReplay.objects.select_related("draft", "requested_by"), pk=replay_id,
                            draft_id=draft_id)
    result = what_if.stored_result(job)
    finished = job.status in (WhatIfReplayStatus.DONE, WhatIfReplayStatus.FAILED)
    return render(request, "insight/what_if_replay.html", {
        "draft": job.draft, "job": job, "result": result, "progress": _progress_text(job), "finished": finished,
        "refresh_seconds": REFRESH_SECONDS, "changes": [what_if.describe_change(c) for c in job.changes],
        "stages": [(STAGES[name], seconds) for name, seconds in result.stages] if result else [],
        "tables": _tables(result), "changed": _changed_rows(result), "shown": SHOWN,
    })
