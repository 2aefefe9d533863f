"""Risk: identity linkage, fraud signals and cases (issue 12, 6d).

The register of listings is `sanctions.BlacklistEntry` (ADR 0004); risk writes to it only through
`sanctions.services`, and opens recoveries only through `funding.services.recovery`.
Every change of state is made by `risk.services` (one writer), in a transaction, audited.
Each row carries the city whose officials decide it (scope: `RiskConfig.ready`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SignalStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    IN_CASE = "in_case", _("已立案")
    CLOSED = "closed", _("已结案")


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    CONFIRMED = "confirmed", _("确认为同一人")
    DISMISSED = "dismissed", _("排除")
    # Confirmed, then the merge undone by a later decision with a reason (the link's row keeps both decisions).
    UNDONE = "undone", _("已撤销合并")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已结案")


class MeasureKind(models.TextChoices):
    """What a case decision does (6d: 违规者严肃查处, 涉嫌犯罪的移送司法机关). A decision holds one or more."""

    NO_FINDING = "no_finding", _("未发现问题")
    RECOVERY = "recovery", _("追回资金")  # funding.services.recovery.open_recovery: the ledger moves there
    SUSPENSION = "suspension", _("暂停机构资质")  # providers.services.suspend_institution
    INSTITUTION_LISTING = "institution_listing", _("机构列入黑名单")  # sanctions.list_institution, dated
    PERSON_LISTING = "person_listing", _("个人列入黑名单")  # sanctions.list_person, dated
    REFERRAL = "referral", _("移送司法机关")  # with the referral's document number and date
    PUBLIC_NOTICE = "public_notice", _("公开通报")  # the institution appears on the public notices page
    LIFTING = "lifting", _("解除黑名单")  # sanctions.lift_listing, by a later decision


# Measures that name an institution, a person, a listing or a recovery: the check constraints below.
INSTITUTION_MEASURES = (MeasureKind.SUSPENSION, MeasureKind.INSTITUTION_LISTING, MeasureKind.PUBLIC_NOTICE)
LISTING_MEASURES = (MeasureKind.INSTITUTION_LISTING, MeasureKind.PERSON_LISTING, MeasureKind.LIFTING)


class Case(models.Model):
    """A city's inquiry into one or more signals or link candidates, decided by one or more decisions."""

    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = "风险案件 risk case"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="risk_case_status_valid"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True, closed_by__isnull=True)
                | Q(status="closed", closed_at__isnull=False, closed_by__isnull=False),
                name="risk_case_closed_iff_closed_by",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class CaseDecision(models.Model):
    """One decision (处理决定) on a case by an official of its city, with its reason and document number;
    its measures say what it does. The decision that closes the case is the last, but for a lifting."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    decided_on = models.DateField(help_text="the programme's day of the decision (clock.today)")
    reason = models.TextField()
    document_ref = models.CharField(max_length=128, blank=True, default="", help_text="处理决定文号")
    closes_case = models.BooleanField(default=False)

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = "案件处理决定 case decision"
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="risk_decision_has_reason")]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.decided_on} {self.document_ref}"


class CaseMeasure(models.Model):
    """One thing a decision does, with the record it wrote in its owner's app (recovery, listing)."""

    decision = models.ForeignKey(CaseDecision, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(max_length=20, choices=MeasureKind.choices)
    institution = models.ForeignKey("providers.Institution", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               db_column="person_key", related_name="+")
    recovery = models.ForeignKey("funding.RecoveryCase", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    listing = models.ForeignKey("sanctions.BlacklistEntry", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    # 移送司法机关: the referral letter's number and date, and the authority it went to.
    referral_document_ref = models.CharField(max_length=128, blank=True, default="")
    referral_date = models.DateField(null=True, blank=True)
    referred_to = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        ordering = ["decision_id", "pk"]
        verbose_name = "处理措施 case measure"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MeasureKind.values), name="risk_measure_kind_valid"),
            models.CheckConstraint(condition=Q(recovery__isnull=True) ^ Q(kind="recovery"),
                                   name="risk_measure_recovery_iff_recovery"),
            models.CheckConstraint(condition=Q(listing__isnull=True) ^ Q(kind__in=LISTING_MEASURES),
                                   name="risk_measure_listing_iff_listing_or_lifting"),
            models.CheckConstraint(condition=Q(institution__isnull=False) | ~Q(kind__in=INSTITUTION_MEASURES),
                                   name="risk_measure_names_its_institution"),
            models.CheckConstraint(condition=Q(person__isnull=False) | ~Q(kind="person_listing"),
                                   name="risk_measure_names_its_person"),
            models.CheckConstraint(
                condition=(Q(kind="referral", referral_date__isnull=False) & ~Q(referral_document_ref=""))
                | (~Q(kind="referral") & Q(referral_date__isnull=True, referral_document_ref="")),
                name="risk_measure_referral_has_number_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.decision_id}"


# Evidence is kept in the database like the institutions' documents (providers.InstitutionDocument):
# one backup holds everything; 10 MB covers a scanned document or a photograph.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


class CaseEvidence(models.Model):
    """A document an official added to a case (PDF, JPEG or PNG by content): who, when, what it shows."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    file_name = models.CharField(max_length=255)
    description = models.CharField(max_length=300, blank=True, default="")
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = "案件证据 case evidence"
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=1, size__lte=EVIDENCE_MAX_BYTES),
                                   name="risk_evidence_size_within_cap"),
            models.CheckConstraint(condition=Q(content_type__in=EVIDENCE_CONTENT_TYPES),
                                   name="risk_evidence_type_pdf_jpeg_png"),
        ]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.file_name}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["written_at", "pk"]
        verbose_name = "案件记录 case note"

    def __str__(self) -> str:
        return f"#{self.case_id} {self.written_at:%Y-%m-%d}"


class Signal(models.Model):
    """What one signal rule found (risk/signals.py): the records it rests on, the clause, the threshold used."""

    rule = models.CharField(max_length=32, db_index=True)
    clause = models.CharField(max_length=8)
    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="+")
    # sha256 of the rule, the city and the sorted records: a re-run finds the same fingerprint and adds nothing.
    fingerprint = models.CharField(max_length=64, unique=True)
    summary = models.CharField(max_length=300)
    records = models.JSONField(default=list, help_text='[{"model": "training.enrolment", "pk": 1}, ...]')
    parameters = models.JSONField(default=dict, help_text="the thresholds in force, with their date and source")
    institution = models.ForeignKey("providers.Institution", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               db_column="person_key", related_name="+")
    status = models.CharField(max_length=8, choices=SignalStatus.choices, default=SignalStatus.OPEN)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="signals")
    found_on = models.DateField()
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = "风险信号 risk signal"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SignalStatus.values), name="risk_signal_status_valid"),
            models.CheckConstraint(condition=Q(status="open") | Q(case__isnull=False),
                                   name="risk_signal_in_case_has_case"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.summary}"


class LinkCandidate(models.Model):
    """Two person records (two ID numbers) the linkage model thinks are one person, for an official to decide."""

    person_a = models.ForeignKey("people.Person", on_delete=models.PROTECT, db_column="person_a_key",
                                 related_name="+")
    person_b = models.ForeignKey("people.Person", on_delete=models.PROTECT, db_column="person_b_key",
                                 related_name="+")
    city = models.ForeignKey("catalog.City", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    match_probability = models.DecimalField(max_digits=6, decimal_places=5)
    match_weight = models.DecimalField(max_digits=8, decimal_places=3)
    driver = models.CharField(max_length=32, help_text="the comparison that added the largest match weight")
    comparisons = models.JSONField(default=dict, help_text="each comparison's match weight")
    model_version = models.CharField(max_length=48, help_text="the model, the trained parameters and the dated threshold in force")
    status = models.CharField(max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, default="")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="candidates")
    # The confirmed link that merges the two persons' histories for the engine (people.links); kept after an undo.
    link = models.ForeignKey("people.PersonLink", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["-match_probability", "pk"]
        verbose_name = "疑似同一人 link candidate"
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="risk_candidate_pair_once"),
            models.CheckConstraint(condition=Q(person_a__lt=F("person_b")), name="risk_candidate_pair_ordered"),
            models.CheckConstraint(condition=Q(match_probability__gte=0, match_probability__lte=1),
                                   name="risk_candidate_probability_0_1"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (Q(status__in=["confirmed", "dismissed", "undone"], decided_at__isnull=False,
                     decided_by__isnull=False) & ~Q(decision_reason="")),
                name="risk_candidate_decided_with_reason",
            ),
            models.CheckConstraint(condition=Q(link__isnull=True) | Q(status__in=["confirmed", "undone"]),
                                   name="risk_candidate_link_only_when_confirmed"),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id[:8]}~{self.person_b_id[:8]} {self.match_probability}"

    @property
    def driver_label(self) -> object:
        from qiancheng.risk.linkage import COMPARISON_LABELS

        return COMPARISON_LABELS.get(self.driver, self.driver)


class TrainedLinkageModel(models.Model):
    """One training of the linkage model on the register (`qiancheng risk train`): u by random sampling, m by
    expectation maximisation (Splink). Linkage reads the newest one trained on or before the day; with none,
    the documented priors (`risk.linkage.COMPARISON_PRIORS`). Province-wide: it holds no person's data, only
    probabilities, so it is not scoped to a city."""

    trained_on = models.DateField(help_text="the programme's day of the training (clock.today)")
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text="empty: run from the command line")
    record_count = models.PositiveIntegerField(help_text="persons in the register it was trained on")
    engine = models.CharField(max_length=16, default="duckdb")
    model_json = models.JSONField(help_text="Splink's saved model (save_model_to_json), as trained")
    probabilities = models.JSONField(
        help_text="comparison -> [m per level, u per level], null level left out: what linkage applies")

    class Meta:
        ordering = ["-trained_on", "-trained_at", "-pk"]
        get_latest_by = ["trained_on", "trained_at", "pk"]

    def __str__(self) -> str:
        return f"linkage model {self.pk} trained {self.trained_on} on {self.record_count} persons"
