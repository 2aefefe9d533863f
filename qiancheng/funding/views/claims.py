"""The claimant's pages: its claims, filing a class's claims, and what it may do with one claim."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import get_scoped_or_404, scoped
from qiancheng.funding.forms import ClassClaimForm, EmploymentProofForm, NoteForm, ReasonForm, RecoveryForm
from qiancheng.funding.models import (
    Advance,
    ClaimStatus,
    FundSource,
    PartyKind,
    SubsidyClaim,
    TopupStatus,
)
from qiancheng.funding.services.claims import (
    EmploymentProof,
    Parties,
    add_employment_proof,
    file_class_claims,
    fund_account_for_class,
    is_claimant,
    resubmit_claim,
    withdraw_claim,
)
from qiancheng.funding.services.class_claims import ClaimCandidate, check_class_claims, class_claim_candidates
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.funding.views.common import (
    CLAIM_READERS,
    CLAIMANTS,
    OFFICIALS,
    claim_action,
    denied_rules,
    user_party,
)
from qiancheng.funding.views.lists import SEARCH_FIELDS, SEARCH_LABEL, claim_filters, claim_sorts
from qiancheng.policy.params import plan_figures
from qiancheng.training.class_tabs import class_tabs
from qiancheng.training.models import ClassStatus, TrainingClass
from qiancheng.web.language import page_is_english
from qiancheng.web.listing import listing

FINISHED_SHOWN = 10


@require_safe
@signed_in_as(CLAIM_READERS)
def claim_list(request: HttpRequest) -> HttpResponse:
    """`/money/claims/`: the claims the user may see (an institution its own), newest first, by status."""
    claims = scoped(SubsidyClaim.objects.select_related("person", "institution", "fund_account", "city"), request.user)
    listed = listing(request, claims, search=SEARCH_FIELDS, search_label=SEARCH_LABEL,
                     filters=claim_filters(request.user), sorts=claim_sorts(request.user), subtotal="total_amount")
    classes, finished = [], 0
    if request.user.role in CLAIMANTS:
        ended = scoped(TrainingClass.objects.filter(status=ClassStatus.FINISHED), request.user)
        classes, finished = list(ended.order_by("-end_date", "pk")[:FINISHED_SHOWN]), ended.count()
    context = {
        "claims": listed.rows,
        "listed": listed,
        "classes": classes,
        # The rest are a filter of the paged class list away (each class's 补贴 tab files its claims).
        "more_classes": finished > FINISHED_SHOWN and request.user.role == Role.INSTITUTION,
    }
    return render(request, "funding/claim_list.html", context)


def _advancers(training: TrainingClass, user: Any) -> list[tuple[str, str]]:
    """3.6: who may have advanced this class's cost: its institution, the project's enterprise, the user."""
    choices = [(f"{PartyKind.INSTITUTION}:{training.institution.uscc}",
                f"{PartyKind.INSTITUTION.label}：{training.institution.name}")]
    if training.project_id:
        applicant = training.project.applicant
        choices.append((f"{PartyKind.ENTERPRISE}:{applicant.uscc}", f"{PartyKind.ENTERPRISE.label}：{applicant.name}"))
    party = user_party(user)
    if party is not None and f"{party[0]}:{party[1]}" not in dict(choices):
        choices.append((f"{party[0]}:{party[1]}", PartyKind(party[0]).label))
    return choices


def rule_fund(training: TrainingClass) -> str:
    """The fund the plan names for this training (5.1, 5.2a: plan_figures training_type_funds, first entry);
    the engine denies a claim that asks one the plan does not allow."""
    return FundSource(plan_figures().route_fund(training.training_type, training.end_date))


def said(refusal: FundingRefused) -> str:
    """A refusal in the page's language only (one language per page)."""
    return refusal.message_en if page_is_english() else refusal.message_zh


@require_http_methods(["GET", "POST"])
@signed_in_as(CLAIMANTS, hide=True)
def class_claim(request: HttpRequest, class_pk: int) -> HttpResponse:
    """`/money/classes/<pk>/claim/`: file the claims of a finished class in three steps.

    1. Each trainee with "can be claimed" or why not (6c attendance against the city's threshold, no
       certificate, already claimed, withdrawn, ...); only the claimable can be ticked.
    2. Check: the count, the expected total and the list of the ticked trainees.
    3. A deliberate confirm files exactly those (`file_class_claims`), and the message names every claim.
    """
    training = get_scoped_or_404(TrainingClass.objects.select_related("institution", "project__applicant", "city"),
                                 request.user, pk=class_pk)
    candidates = class_claim_candidates(request.user, training)
    claimable = [each for each in candidates if each.claimable]
    party = user_party(request.user)
    form = ClassClaimForm(
        request.POST or None, advancers=_advancers(training, request.user),
        enrolments=[(each.enrolment.pk, each.enrolment.person.name) for each in claimable],
        initial={"source": rule_fund(training)},
    )
    check, problem = None, ""
    if request.method == "POST" and party is None:
        problem = _("只有申领方（培训机构、企业或个人）可以提交申领。")
    elif request.method == "POST" and not form.is_valid():
        problem = (_("所选学员中有不能申领的，请重新勾选。") if "enrolments" in form.errors
                   else _("请重新选择申领资金来源和垫付方。"))
    elif request.method == "POST" and party is not None:
        advanced_by, advanced_by_ref = form.cleaned_data["advanced_by"].split(":", 1)
        parties = Parties(advanced_by, advanced_by_ref, party[0], party[1])
        chosen = set(form.cleaned_data["enrolments"])
        try:
            fund = fund_account_for_class(training, form.cleaned_data["source"])
            check = check_class_claims(request.user, training, fund.source, chosen)
            if request.POST.get("confirm") == "file":
                filed, refusals = file_class_claims(request.user, training, fund, parties, enrolment_ids=chosen)
            else:
                filed, refusals = None, {}
        except FundingRefused as refusal:
            check, problem = None, said(refusal)
        else:
            if filed is not None:
                return _filed(request, filed, refusals, candidates)
    source = form["source"].value() or rule_fund(training)
    try:
        chosen_fund, fund_problem = fund_account_for_class(training, source), None
    except FundingRefused as refusal:
        chosen_fund, fund_problem = None, said(refusal)
    context = {
        "tabs": class_tabs(request.user, training, "subsidy"),
        "training": training, "form": form, "claimable": len(claimable), "check": check, "problem": problem,
        "rows": [(each, said(each.refusal) if each.refusal else "") for each in candidates],
        "amount_problem": said(check.amount_problem) if check and check.amount_problem else "",
        "rule_fund": FundSource(rule_fund(training)).label, "fund": chosen_fund, "fund_problem": fund_problem,
        "claimant": PartyKind(party[0]).label if party else "",
        # 3.6 credit payment: part of the subsidy already advanced to the institution, netted by the claims.
        "advance": scoped(Advance.objects.filter(training_class=training), request.user).first(),
    }
    return render(request, "funding/class_claim.html", context, status=422 if problem else 200)


SUBSIDY_READERS = OFFICIALS | CLAIMANTS


@require_safe
@signed_in_as(SUBSIDY_READERS, hide=True)
def class_subsidy(request: HttpRequest, class_pk: int) -> HttpResponse:
    """`/money/classes/<pk>/subsidy/` 补贴, a tab of the class page: the class's claims the user may see, 50 a
    page, searched by number or name, with the verdict, the amount and their total; a claimant of a finished
    class is led to file the rest (`class_claim`)."""
    training = get_scoped_or_404(TrainingClass.objects.select_related("institution", "city"), request.user,
                                 pk=class_pk)
    claims = scoped(SubsidyClaim.objects.filter(enrolment__training_class=training)
                    .select_related("person", "fund_account"), request.user)
    listed = listing(request, claims, search=SEARCH_FIELDS, search_label=SEARCH_LABEL,
                     filters=claim_filters(request.user, city=False), sorts=claim_sorts(None),  # one class, one city: no grouping
                     subtotal="total_amount")
    context = {"training": training, "tabs": class_tabs(request.user, training, "subsidy"), "listed": listed,
               "claims": listed.rows, "finished": training.status == ClassStatus.FINISHED,
               "may_file": request.user.role in CLAIMANTS and training.status == ClassStatus.FINISHED}
    return render(request, "funding/class_subsidy.html", context)


def _filed(request: HttpRequest, filed: list[SubsidyClaim], refusals: dict[int, FundingRefused],
           candidates: list[ClaimCandidate]) -> HttpResponse:
    """The result, naming every claim filed and every trainee refused at the last moment."""
    names = {each.enrolment.pk: each.enrolment.person.name for each in candidates}
    if filed:
        messages.success(request, _("已提交 %(count)d 件申领：%(numbers)s。") % {
            "count": len(filed), "numbers": _("、").join(
                _("%(number)s（%(name)s）") % {"number": claim.number, "name": names.get(claim.enrolment_id, "")}
                for claim in filed)})
    for pk, refusal in refusals.items():
        messages.error(request, f"{names.get(pk, '')}：{said(refusal)}")
    return redirect("funding:claim_list")


@require_safe
@signed_in_as(CLAIM_READERS, hide=True)
def claim_detail(request: HttpRequest, number: str) -> HttpResponse:
    """`/money/claims/<number>/`: one claim, its decision with the rules and clauses, and what may be done."""
    claim = get_scoped_or_404(
        SubsidyClaim.objects.select_related("person", "institution", "fund_account", "reviewed_by", "city"),
        request.user, number=number,
    )
    user = request.user
    mine = is_claimant(user, claim)
    official = user.role in OFFICIALS
    context: dict[str, Any] = {
        "claim": claim,
        "denied": denied_rules(claim),
        "payments": list(claim.payments.order_by("paid_at")),
        "can_explain": user.role in OFFICIALS | {Role.INSTITUTION},
        "can_withdraw": (mine or official) and claim.status in (ClaimStatus.PENDING, ClaimStatus.APPROVED),
        # 5.2c: a proof on a pending claim, or on a paid one without a proof (the 200 then becomes a top-up).
        "can_add_proof": (mine or official) and (claim.status == ClaimStatus.PENDING or (
            claim.status == ClaimStatus.PAID and not claim.employment_proof_kind and not claim.topup_status)),
        "can_decide_topup": official and claim.topup_status == TopupStatus.PENDING,
        "can_review": official and claim.status == ClaimStatus.PENDING and not claim.awaiting_documents,
        "can_send_back": official and claim.status == ClaimStatus.PENDING and not claim.awaiting_documents,
        "can_resubmit": mine and claim.status == ClaimStatus.PENDING and claim.awaiting_documents,
        "can_appeal": mine and claim.status == ClaimStatus.REJECTED and not claim.appeals.exists(),
        "appeals": list(claim.appeals.select_related("decided_by")),
        "can_recover": official and claim.status == ClaimStatus.PAID,
        "recovery_cases": list(scoped(claim.recovery_cases.all(), user)),
        "reason_form": ReasonForm(), "note_form": NoteForm(), "proof_form": EmploymentProofForm(),
        "recovery_form": RecoveryForm(),
    }
    return render(request, "funding/claim_detail.html", context)


@require_POST
@signed_in_as(CLAIM_READERS, hide=True)
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    form = ReasonForm(request.POST)

    def act(claim: SubsidyClaim) -> str:
        withdraw_claim(request.user, claim, form.cleaned_data["reason"])
        return _("申领已撤回。")

    return claim_action(request, number, act, form=form, invalid=_("撤回须说明理由。"))


@require_POST
@signed_in_as(CLAIM_READERS, hide=True)
def employment_proof(request: HttpRequest, number: str) -> HttpResponse:
    """5.2c: the proof of employment for a claim; the engine decides the claim again with it."""
    form = EmploymentProofForm(request.POST)

    def act(claim: SubsidyClaim) -> str:
        proved = add_employment_proof(request.user, claim,
                                      EmploymentProof(form.cleaned_data["kind"], form.cleaned_data["date"],
                                                      form.cleaned_data["employer_uscc"]))
        return _("就业证明已提交，就业补贴 %(amount)s 元。") % {"amount": proved.employment_amount}

    return claim_action(request, number, act, form=form,
                        invalid=_("请选择证明类型并填写证明日期。"))


@require_POST
@signed_in_as(CLAIM_READERS, hide=True)
def resubmit(request: HttpRequest, number: str) -> HttpResponse:
    """The claimant answers a send-back: the engine decides the claim again and it returns to the queue."""
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""

    def act(claim: SubsidyClaim) -> str:
        resubmit_claim(request.user, claim, note)
        return _("已重新提交，等待审核。")

    return claim_action(request, number, act)
