"""`/risk/cases/<id>/`: one case's page: its records (linked), timeline (notes, evidence, decisions in date
order), and the forms an official of its city uses: a note, evidence, a decision with measures, lifting a
listing the case made. `/risk/notices/`: the public notices. Every change goes through risk.cases."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, public
from qiancheng.funding.models import SubsidyClaim
from qiancheng.risk import cases
from qiancheng.risk.case_forms import CaseNoteForm, DecisionForm, EvidenceForm, LiftForm
from qiancheng.risk.models import EVIDENCE_MAX_BYTES, Case, CaseEvidence, CaseStatus
from qiancheng.risk.services import RiskRefused
from qiancheng.web.language import page_is_english

READERS = {Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL}
RECORD_LABELS = {
    "people.person": "学员", "training.enrolment": "报名", "training.trainingclass": "培训班",
    "providers.institution": "培训机构", "providers.teacher": "教师", "funding.subsidyclaim": "补贴申领",
    "demand.enterprise": "企业",
}


def _say(refusal: RiskRefused) -> str:
    return refusal.message_en if page_is_english() else refusal.message_zh


def _record_link(model: str, pk: Any, claim_numbers: dict[int, str]) -> tuple[str, str | None]:
    """A record a signal rests on, as its kind and number, with a link to its page where there is one."""
    label = _(RECORD_LABELS.get(model, model))
    try:
        if model == "funding.subsidyclaim" and pk in claim_numbers:
            return f"{label} {claim_numbers[pk]}", reverse("funding:claim_detail", args=[claim_numbers[pk]])
        if model == "training.trainingclass":
            return f"{label} #{pk}", reverse("training:class_detail", args=[pk])
        if model == "providers.institution":
            return f"{label} #{pk}", reverse("providers:detail", args=[pk])
        if model == "people.person":
            return f"{label} {str(pk)[:8]}", reverse("portal:person_record", args=[pk])
    except NoReverseMatch:
        # A signal's record number as stored in its JSON that no page's URL takes (e.g. not a number where
        # the page wants one): shown without a link rather than failing the case page.
        return f"{label} #{str(pk)[:12]}", None
    return f"{label} #{str(pk)[:12]}", None


def _records(case: Case) -> list[tuple[Any, list[tuple[str, str | None]]]]:
    signals = list(case.signals.all())
    claim_pks = {record.get("pk") for signal in signals for record in signal.records
                 if record.get("model") == "funding.subsidyclaim"}
    numbers = dict(SubsidyClaim.objects.filter(pk__in=[pk for pk in claim_pks if isinstance(pk, int)])
                   .values_list("pk", "number"))
    return [(signal, [_record_link(record.get("model", ""), record.get("pk"), numbers) for record in signal.records])
            for signal in signals]


def _page(request: HttpRequest, case: Case, **bound: forms.Form) -> HttpResponse:
    parties = cases.case_parties(case)
    listings = [entry for entry in cases.listings_of_case(case) if entry.lifted_at is None]
    may_act = request.user.role == Role.CITY_OFFICIAL and request.user.city_id == case.city_id
    is_open = case.status == CaseStatus.OPEN
    return render(request, "risk/case.html", {
        "case": case, "records": _records(case), "timeline": cases.timeline(case),
        "candidates": case.candidates.select_related("person_a", "person_b"),
        "may_act": may_act, "is_open": is_open, "listings": listings,
        "note_form": bound.get("note_form") or CaseNoteForm(),
        "evidence_form": bound.get("evidence_form") or EvidenceForm(),
        "decision_form": bound.get("decision_form") or DecisionForm(**parties),
        "lift_form": bound.get("lift_form") or LiftForm(listings=listings),
        "failed": next(iter(bound), ""),
    })


@require_safe
@signed_in_as(READERS, hide=True)
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    return _page(request, get_scoped_or_404(Case, request.user, pk=case_id))


def _refused(request: HttpRequest, found: Case, name: str, form: forms.Form, refusal: RiskRefused) -> HttpResponse:
    form.add_error(None, _say(refusal))
    return _page(request, found, **{name: form})


@require_POST
@signed_in_as({Role.CITY_OFFICIAL}, hide=True)
def note(request: HttpRequest, case_id: int) -> HttpResponse:
    found = get_scoped_or_404(Case, request.user, pk=case_id)
    form = CaseNoteForm(request.POST)
    if not form.is_valid():
        return _page(request, found, note_form=form)
    try:
        cases.add_note(request.user, found, form.cleaned_data["text"])
    except RiskRefused as refusal:
        return _refused(request, found, "note_form", form, refusal)
    messages.success(request, _("已添加记录。"))
    return redirect("risk:case", case_id=found.pk)


@require_POST
@signed_in_as({Role.CITY_OFFICIAL}, hide=True)
def evidence(request: HttpRequest, case_id: int) -> HttpResponse:
    found = get_scoped_or_404(Case, request.user, pk=case_id)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, found, evidence_form=form)
    upload = form.cleaned_data["file"]
    try:
        cases.add_evidence(request.user, found, upload.name or "", upload.read(EVIDENCE_MAX_BYTES + 1),
                           form.cleaned_data["description"])
    except RiskRefused as refusal:
        return _refused(request, found, "evidence_form", form, refusal)
    messages.success(request, _("已上传证据。"))
    return redirect("risk:case", case_id=found.pk)


@require_safe
@signed_in_as(READERS, hide=True)
def evidence_download(request: HttpRequest, case_id: int, evidence_id: int) -> HttpResponse:
    found = get_scoped_or_404(Case, request.user, pk=case_id)
    item = get_scoped_or_404(CaseEvidence, request.user, pk=evidence_id, case=found)
    response = HttpResponse(cases.evidence_content(request.user, item, request), content_type=item.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.file_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@signed_in_as({Role.CITY_OFFICIAL}, hide=True)
def decide(request: HttpRequest, case_id: int) -> HttpResponse:
    found = get_scoped_or_404(Case, request.user, pk=case_id)
    parties = cases.case_parties(found)
    form = DecisionForm(request.POST, **parties)
    if not form.is_valid():
        return _page(request, found, decision_form=form)
    data = form.cleaned_data
    pick = {name: {str(each.pk): each for each in rows} for name, rows in parties.items()}
    party = {"claim": pick["claims"].get(str(data["claim"])),
             "institution": pick["institutions"].get(str(data["institution"])),
             "person": pick["persons"].get(data["person"] or "")}
    measures = [cases.Measure(
        kind=kind, institution=party["institution"], person=party["person"] if kind != "suspension" else None,
        claim=party["claim"], listed_from=data["listed_from"], listed_until=data["listed_until"],
        referral_document_ref=data["referral_document_ref"], referral_date=data["referral_date"],
        referred_to=data["referred_to"]) for kind in data["measures"]]
    try:
        cases.decide_case(request.user, found, data["reason"], measures, document_ref=data["document_ref"],
                          close=data["close"])
    except RiskRefused as refusal:
        return _refused(request, found, "decision_form", form, refusal)
    messages.success(request, _("已作出处理决定。"))
    return redirect("risk:case", case_id=found.pk)


@require_POST
@signed_in_as({Role.CITY_OFFICIAL}, hide=True)
def lift(request: HttpRequest, case_id: int) -> HttpResponse:
    found = get_scoped_or_404(Case, request.user, pk=case_id)
    listings = [entry for entry in cases.listings_of_case(found) if entry.lifted_at is None]
    form = LiftForm(request.POST, listings=listings)
    if not form.is_valid():
        return _page(request, found, lift_form=form)
    data = form.cleaned_data
    entry = next(each for each in listings if each.pk == data["listing"])
    try:
        cases.lift_listing(request.user, found, entry, data["last_day"], data["reason"], data["document_ref"])
    except RiskRefused as refusal:
        return _refused(request, found, "lift_form", form, refusal)
    messages.success(request, _("已解除黑名单。"))
    return redirect("risk:case", case_id=found.pk)


@require_http_methods(["GET", "HEAD"])
@public
def notices(request: HttpRequest) -> HttpResponse:
    """The published notices: institution, what was decided, the day, the decision's number; no person."""
    return render(request, "risk/notices.html", {"notices": cases.public_notices()})
