"""Subsidy claims (补贴申领): one person's one training, the fund asked, and the decision on it.

A claim carries its own copy of every fact the decision engine reads (the claim columns of
qiancheng/policy/data/EXCHANGE.md), filled from the enrolment, class and person when it is submitted, or from
an imported history file when it describes the past. Why a copy and not joins:
- the decision is a legal record: a re-audit years later must see what was claimed, even after a
  class or a person's record was corrected;
- history claims from before the system (3.5b counts them) have no enrolment to join;
- the batch engine builds its claim frame from this one table with no joins over millions of rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import ApplicantRelation, SkillLevel, TrainingType, in_fen, money
from qiancheng.funding.models.funds import CLAIM_FUNDS, FundSource
from qiancheng.people.models import PersonCategory
from qiancheng.policy.vocabulary import COUNTING_STATUSES as ENGINE_COUNTING_STATUSES
from qiancheng.training.models import subject_matches_type


class ClaimStatus(models.TextChoices):
    """A claim from drafting to settlement."""

    DRAFT = "draft", _("草稿")  # being prepared by the claimant; counts for nothing
    PENDING = "pending", _("待审核")  # submitted, waiting for decision and review; counts (RULES.md)
    APPROVED = "approved", _("已核准")  # eligible and approved; money reserved; counts
    REJECTED = "rejected", _("未通过")  # denied by a rule or by the reviewer; never counts
    PAID = "paid", _("已支付")  # paid to the claimant; counts
    WITHDRAWN = "withdrawn", _("已撤回")  # taken back by the claimant before payment; never counts
    RECOVERED = "recovered", _("已追回")  # paid, then recovered as improper (6d); never counts


# RULES.md "What counts": the engine's list (policy/vocabulary.py) is the one statement; funding reads it as
# its own statuses, so a status the engine counts and funding does not know fails at import.
COUNTING_STATUSES = tuple(ClaimStatus(value) for value in ENGINE_COUNTING_STATUSES)

# The status a claim is filed in: 6c 凡补必进 — a claim exists only as filed in the system, and goes to the
# engine and the reviewer at once (the claimant prepares nothing in the system before filing).
FILED_STATUS = ClaimStatus.PENDING

# Every change of a claim's status the product makes, and why it is allowed. The one writer
# (funding.services.claim_status.move_claim) refuses any other change (409 illegal_status_change), so a
# withdrawn claim is never paid, a paid claim is never rejected, and a recovered one stays recovered.
CLAIM_TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    # A draft counts for nothing (RULES.md "What counts") until it is filed (6c); the product files claims
    # pending at once, so no draft is made today.
    ClaimStatus.DRAFT: frozenset({ClaimStatus.PENDING}),
    # 6b 谁实施、谁负责: the city reviews the engine's decision and approves (the total is reserved in the fund)
    # or rejects with a reason; the claimant may take it back before payment.
    ClaimStatus.PENDING: frozenset({ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN}),
    # 3.6 先垫后补: the reserved total is paid to the party that advanced it; before payment the claimant may
    # still withdraw (the reservation is released).
    ClaimStatus.APPROVED: frozenset({ClaimStatus.PAID, ClaimStatus.WITHDRAWN}),
    # 6d: a paid claim found improper is recovered. A bank return (the money never arrived) puts it back to
    # approved, its total reserved again, to be paid by a new payment.
    ClaimStatus.PAID: frozenset({ClaimStatus.RECOVERED, ClaimStatus.APPROVED}),
    # An appeal upheld (money.md, appeals) puts the claim back before the engine as if just filed; it is then
    # approved in the same transaction or the upholding is refused.
    ClaimStatus.REJECTED: frozenset({ClaimStatus.PENDING}),
    # Final: a withdrawn claim counts for nothing and a new claim may be filed for the training instead;
    # a recovered claim is settled by its recovery case (repayment or write-off), not by its status.
    ClaimStatus.WITHDRAWN: frozenset(),
    ClaimStatus.RECOVERED: frozenset(),
}


class ClaimOrigin(models.TextChoices):
    """Where the claim record comes from."""

    SYSTEM = "system", _("本系统申领")  # built from an enrolment; all facts required
    IMPORTED = "imported", _("历史导入")  # a past claim (3.5b); only the history columns


class PartyKind(models.TextChoices):
    """Who advanced the cost, or who claims it (3.6 谁垫付、谁申领)."""

    INSTITUTION = "institution", _("培训机构")  # identified by its USCC
    ENTERPRISE = "enterprise", _("企业")  # identified by its USCC
    INDIVIDUAL = "individual", _("个人")  # identified by person_key, never the clear ID number


class ProofKind(models.TextChoices):
    """5.2c: any one of these, dated at least three months after the training, proves employment."""

    LABOUR_CONTRACT = "labour_contract", _("劳动合同")
    WAGE_STATEMENT = "wage_statement", _("工资流水")
    SOCIAL_INSURANCE_RECORD = "social_insurance_record", _("社保缴费记录")


def _system_claim_complete() -> Q:
    """A claim made in the system carries every fact the engine needs; imported history may not."""
    return Q(origin=ClaimOrigin.IMPORTED) | Q(
        enrolment__isnull=False,
        city__isnull=False,
        institution__isnull=False,
        class_hours__isnull=False,
        start_date__isnull=False,
        passed__isnull=False,
        receiving_unemployment_benefit__isnull=False,
        has_business_licence__isnull=False,
        person_category__in=PersonCategory.values,
        advanced_by__in=PartyKind.values,
        claimant__in=PartyKind.values,
    ) & ~Q(advanced_by_ref="") & ~Q(claimant_ref="")


def _decision_consistent() -> Q:
    """Undecided: no decision fields. Decided: amounts add up; denied means zero money and named rules.

    Every comparison on a nullable column is paired with IS NOT NULL: a CHECK whose condition is NULL
    passes, so `amount >= 0` alone would let a NULL amount through.
    """
    undecided = Q(
        eligible__isnull=True,
        decided_at__isnull=True,
        training_amount__isnull=True,
        employment_amount__isnull=True,
        total_amount__isnull=True,
        denied_by="",
    )
    amounts = Q(
        training_amount__isnull=False,
        employment_amount__isnull=False,
        total_amount__isnull=False,
        decided_at__isnull=False,
        training_amount__gte=0,
        employment_amount__gte=0,
    ) & Exact(
        in_fen(F("training_amount") + F("employment_amount")), in_fen(F("total_amount"))
    )
    eligible = Q(eligible__isnull=False, eligible=True, denied_by="")
    denied = Q(eligible__isnull=False, eligible=False, total_amount=0) & ~Q(denied_by="")
    return undecided | amounts & (eligible | denied)


class TopupStatus(models.TextChoices):
    """5.2c after payment: the 200 CNY employment subsidy earned by a proof given once the claim was paid."""

    NONE = "", _("无")
    PENDING = "pending", _("待审核")  # the proof earned it; the reviewer has not decided
    APPROVED = "approved", _("已核准")  # reserved in the claim's fund account
    PAID = "paid", _("已支付")
    REFUSED = "refused", _("不予核拨")  # the reviewer refused the proof, with a reason


class SubsidyClaim(models.Model):
    number = models.CharField(max_length=64, unique=True, help_text="claim ID (EXCHANGE.md claim_id/record_id)")
    origin = models.CharField(max_length=16, choices=ClaimOrigin.choices, default=ClaimOrigin.SYSTEM)
    enrolment = models.ForeignKey(
        "training.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, db_column="person_key", related_name="claims")
    # What was trained (copied from the class; subject_matches_type() keeps it consistent with the type).
    training_type = models.CharField(max_length=24, choices=TrainingType.choices)
    occupation = models.ForeignKey(
        "catalog.Occupation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(choices=SkillLevel.choices, null=True, blank=True)
    item = models.ForeignKey(
        "catalog.SpecialAbilityItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    course_kind = models.ForeignKey(
        "catalog.CourseKind", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    class_hours = models.PositiveIntegerField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(help_text="its year is the training's year (3.5a)")
    passed = models.BooleanField(null=True, blank=True)
    # Facts about the person at enrolment.
    person_category = models.CharField(max_length=32, choices=PersonCategory.choices, blank=True, default="")
    receiving_unemployment_benefit = models.BooleanField(null=True, blank=True)
    has_business_licence = models.BooleanField(null=True, blank=True)
    applicant_relation = models.CharField(
        max_length=24, choices=ApplicantRelation.choices, default=ApplicantRelation.NONE
    )
    # The money asked and where it is decided.
    fund = models.CharField(max_length=32, choices=FundSource.choices)
    fund_account = models.ForeignKey(
        "funding.FundAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    city = models.ForeignKey("catalog.City", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(
        "providers.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    # 3.6: 谁垫付、谁申领. A *_ref is a USCC, or a person_key for an individual.
    advanced_by = models.CharField(max_length=16, choices=PartyKind.choices, blank=True, default="")
    advanced_by_ref = models.CharField(max_length=64, blank=True, default="")
    claimant = models.CharField(max_length=16, choices=PartyKind.choices, blank=True, default="")
    claimant_ref = models.CharField(max_length=64, blank=True, default="")
    # 5.2c: employment three months after training.
    employment_proof_kind = models.CharField(max_length=32, choices=ProofKind.choices, blank=True, default="")
    employment_proof_date = models.DateField(null=True, blank=True)
    # The employer the proof names (its USCC), read by the risk signal on linked employers (6d).
    employer_uscc = models.CharField(max_length=18, blank=True, default="", help_text="就业证明所载用人单位统一社会信用代码")
    status = models.CharField(max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The engine's decision (RULES.md), with what it was decided under.
    eligible = models.BooleanField(null=True, blank=True)
    training_amount = money(null=True, blank=True)
    employment_amount = money(null=True, blank=True)
    total_amount = money(null=True, blank=True)
    denied_by = models.CharField(max_length=256, blank=True, default="", help_text="failed rule IDs, ';'-joined")
    decided_at = models.DateTimeField(null=True, blank=True)
    param_set_id = models.CharField(max_length=64, blank=True, default="")
    rule_version = models.CharField(max_length=64, blank=True, default="")
    # The city official's review of the decision.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, default="")
    # The reviewer asked for more documents (补充材料). The claim stays pending, so it still counts for the
    # engine (RULES.md "What counts"); the request is cleared when the claimant resubmits.
    documents_requested_at = models.DateTimeField(null=True, blank=True)
    documents_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    documents_request_reason = models.TextField(blank=True, default="")
    # 5.2c when the proof comes after the training subsidy was paid: the difference between the decided
    # total and what was paid is a top-up, reviewed, reserved and paid like a claim of its own.
    topup_status = models.CharField(max_length=16, choices=TopupStatus.choices, blank=True, default="")
    topup_amount = money(default=0)
    topup_note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["end_date", "number"]
        verbose_name = "补贴申领 subsidy claim"
        indexes = [
            models.Index(fields=["person", "status"], name="claim_person_status"),
            models.Index(fields=["city", "status", "end_date"], name="claim_city_status_end"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
            models.CheckConstraint(condition=Q(origin__in=ClaimOrigin.values), name="claim_origin_valid"),
            models.CheckConstraint(condition=Q(fund__in=CLAIM_FUNDS), name="claim_fund_valid"),
            models.CheckConstraint(condition=subject_matches_type(), name="claim_subject_matches_type"),
            models.CheckConstraint(condition=_system_claim_complete(), name="claim_system_facts_complete"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="claim_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(employment_proof_kind="", employment_proof_date__isnull=True)
                | Q(employment_proof_kind__in=ProofKind.values, employment_proof_date__isnull=False),
                name="claim_proof_kind_iff_date",
            ),
            models.CheckConstraint(condition=_decision_consistent(), name="claim_decision_consistent"),
            # A request for documents is dated, signed and explained, and only a pending claim waits on one.
            models.CheckConstraint(
                condition=Q(documents_requested_at__isnull=True, documents_requested_by__isnull=True,
                            documents_request_reason="")
                | Q(status=ClaimStatus.PENDING, documents_requested_at__isnull=False,
                    documents_requested_by__isnull=False) & ~Q(documents_request_reason=""),
                name="claim_documents_request_complete",
            ),
            models.CheckConstraint(
                condition=Q(topup_status="", topup_amount=0)
                | Q(topup_status__in=[value for value in TopupStatus.values if value], topup_amount__gt=0,
                    status__in=[ClaimStatus.PAID, ClaimStatus.RECOVERED]),
                name="claim_topup_only_after_payment",
            ),
            # Nothing is approved or paid in the system without an eligible decision (6c).
            models.CheckConstraint(
                condition=Q(origin=ClaimOrigin.IMPORTED)
                | ~Q(status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.RECOVERED])
                | Q(eligible__isnull=False, eligible=True),
                name="claim_approved_only_if_eligible",
            ),
            # 5.2d and "one training, one subsidy": at most one counting claim per enrolment, whatever
            # the fund. UNIQUE(enrolment, fund) would let the same training be paid by two funds, and would
            # forbid a new claim after a rejected or withdrawn one; this partial constraint does neither.
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status__in=COUNTING_STATUSES), name="claim_one_counting_per_enrolment"
            ),
            # 5.2d across classes: one counting project-training subsidy per person and project. Imported
            # history is exempt: it records what was paid under earlier rules, right or wrong.
            models.UniqueConstraint(
                fields=["person", "project"],
                condition=Q(
                    training_type=TrainingType.PROJECT, status__in=COUNTING_STATUSES, origin=ClaimOrigin.SYSTEM
                ),
                name="claim_one_counting_per_person_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.training_type} {self.status}"

    @property
    def awaiting_documents(self) -> bool:
        """Sent back for more documents and not yet resubmitted."""
        return self.documents_requested_at is not None

    @property
    def counts(self) -> bool:
        """Counts toward 3.5a/3.5b/3.5c/5.2d limits (RULES.md)."""
        return self.status in COUNTING_STATUSES
