"""Training institutions (培训机构), their teachers and what they may teach.

An institution applies for qualification, a city official reviews it (1c), and only an approved
institution in date, not on the blacklist, may open classes or be chosen for a project (3.4c).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import SkillLevel, TrainingType
from qiancheng.people.crypto import ID_NUMBER, SealedTextField
from qiancheng.people.models import TOKEN_PREFIX


class InstitutionKind(models.TextChoices):
    """The kinds of provider the plan names (3.4c, 4.3)."""

    VOCATIONAL_COLLEGE = "vocational_college", _("职业院校")
    TECHNICAL_SCHOOL = "technical_school", _("技工院校")
    TRAINING_BASE = "training_base", _("公共实训基地/高技能人才培训基地")
    CHAIN_LEADER_ENTERPRISE = "chain_leader_enterprise", _("链主企业")
    LABOUR_BRAND_ENTERPRISE = "labour_brand_enterprise", _("劳务品牌企业")
    PRIVATE_SCHOOL = "private_school", _("民办职业培训机构")
    OTHER = "other", _("其他")


class InstitutionStatus(models.TextChoices):
    """Where an institution stands in qualification review (1c) and discipline (6d)."""

    APPLIED = "applied", _("已申请")  # application submitted, awaiting a city official's review
    APPROVED = "approved", _("已认定")  # qualified to train until approved_until
    CHANGES_REQUESTED = "changes_requested", _("需补正")  # reviewer asked for corrections
    REJECTED = "rejected", _("未通过")  # review refused the application
    SUSPENDED = "suspended", _("暂停")  # qualification on hold pending an investigation
    EXPIRED = "expired", _("已过期")  # approved_until passed without renewal
    BLACKLISTED = "blacklisted", _("列入黑名单")  # 6d: barred; see risk.BlacklistEntry


class Institution(models.Model):
    name = models.CharField(max_length=128)
    uscc = models.CharField(max_length=18, unique=True, help_text="统一社会信用代码 GB 32100")
    kind = models.CharField(max_length=32, choices=InstitutionKind.choices)
    city = models.ForeignKey("catalog.City", on_delete=models.PROTECT, related_name="institutions")
    address = models.CharField(max_length=256, blank=True, default="")
    # Registry facts the risk signals compare (6d: an employer or another institution behind the same
    # people); an organisation's, not a person's, so kept in clear like the address.
    legal_representative = models.CharField(max_length=64, blank=True, default="", help_text="法定代表人")
    phone = models.CharField(max_length=32, blank=True, default="", help_text="单位联系电话")
    status = models.CharField(max_length=24, choices=InstitutionStatus.choices, default=InstitutionStatus.APPLIED)
    approved_until = models.DateField(null=True, blank=True)
    # 1c: training-quality star rating, computed from outcomes; null until first rated.
    star_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    star_rated_on = models.DateField(null=True, blank=True)
    contact_name = models.CharField(max_length=64, blank=True, default="", help_text="联系人 contact person")
    # Trainees the institution can train at the same time; unknown until the institution states it.
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="同时在训能力（人）")
    # What the institution asks to teach, kept until the city grants it as InstitutionScope rows:
    # [{"training_type": "occupational", "code": "4-04-05-05", "max_level": 4}, {"training_type":
    # "special_ability", "code": "starter-01"}, …]. Only granted scopes count for opening classes.
    requested_scopes = models.JSONField(default=list, blank=True)
    # When the application last entered the city's queue (registration or resubmission): the queue's age.
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The reason given with the latest review or discipline decision, shown to the institution.
    status_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["city_id", "name"]
        verbose_name = "培训机构 institution"
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="institution_capacity_positive"
            ),
            models.CheckConstraint(condition=Exact(Length("uscc"), 18), name="institution_uscc_18_chars"),
            models.CheckConstraint(condition=Q(kind__in=InstitutionKind.values), name="institution_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=InstitutionStatus.values), name="institution_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=InstitutionStatus.APPROVED) | Q(approved_until__isnull=False),
                name="institution_approved_has_end_date",
            ),
            models.CheckConstraint(
                condition=Q(star_rating__isnull=True, star_rated_on__isnull=True)
                | Q(star_rating__isnull=False, star_rating__gte=0, star_rating__lte=5, star_rated_on__isnull=False),
                name="institution_star_rating_0_to_5_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def shown_status(self, on: date) -> str:
        """The status as it stands on `on`: an approval whose end date has passed reads as expired (1c)."""
        if self.status == InstitutionStatus.APPROVED and self.approved_until is not None and self.approved_until < on:
            return InstitutionStatus.EXPIRED
        return self.status

    def shown_status_label(self, on: date) -> str:
        return InstitutionStatus(self.shown_status(on)).label


class Teacher(models.Model):
    """A member of an institution's teaching team (1c); the ID number is sealed like a trainee's."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="teachers")
    name = models.CharField(max_length=64)
    id_number_enc = SealedTextField(purpose=ID_NUMBER, keyed_as="person_key")
    id_number_masked = models.CharField(max_length=18)
    person_key = models.CharField(max_length=64, db_index=True)
    qualifications = models.TextField(blank=True, default="", help_text="certificates held, teaching licence")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name = "师资 teacher"
        constraints = [
            models.UniqueConstraint(fields=["institution", "person_key"], name="teacher_once_per_institution"),
            models.CheckConstraint(condition=Exact(Length("person_key"), 64), name="teacher_person_key_64"),
            models.CheckConstraint(
                condition=Q(id_number_enc__startswith=TOKEN_PREFIX), name="teacher_id_number_sealed"
            ),
            models.CheckConstraint(
                condition=Q(id_number_masked__contains="*"), name="teacher_id_number_masked_has_mask"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id_number_masked}"


def _scope_subject_matches_type() -> Q:
    no_occupation = Q(occupation__isnull=True, max_level__isnull=True)
    no_item = Q(item__isnull=True)
    no_course = Q(course_kind__isnull=True)
    occupational = Q(training_type=TrainingType.OCCUPATIONAL, occupation__isnull=False, max_level__isnull=False, max_level__gte=1, max_level__lte=5)
    return (
        occupational & no_item & no_course
        | Q(training_type=TrainingType.SPECIAL_ABILITY, item__isnull=False) & no_occupation & no_course
        | Q(training_type=TrainingType.ENTREPRENEURSHIP, course_kind__isnull=False) & no_occupation & no_item
    )


class InstitutionScope(models.Model):
    """One thing an approved institution may teach: an occupation up to a level, an item or a course."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="scopes")
    training_type = models.CharField(max_length=24, choices=TrainingType.choices)
    occupation = models.ForeignKey(
        "catalog.Occupation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The highest level (smallest number) the institution may train to; it may train every lower level.
    max_level = models.PositiveSmallIntegerField(choices=SkillLevel.choices, null=True, blank=True)
    item = models.ForeignKey(
        "catalog.SpecialAbilityItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    course_kind = models.ForeignKey(
        "catalog.CourseKind", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["institution_id", "training_type"]
        verbose_name = "培训范围 institution scope"
        constraints = [
            # Project training is granted per project (3.4c), never as a standing scope.
            models.CheckConstraint(condition=_scope_subject_matches_type(), name="scope_subject_matches_type"),
            models.UniqueConstraint(
                fields=["institution", "occupation"],
                condition=Q(training_type=TrainingType.OCCUPATIONAL),
                name="scope_occupation_once",
            ),
            models.UniqueConstraint(
                fields=["institution", "item"],
                condition=Q(training_type=TrainingType.SPECIAL_ABILITY),
                name="scope_item_once",
            ),
            models.UniqueConstraint(
                fields=["institution", "course_kind"],
                condition=Q(training_type=TrainingType.ENTREPRENEURSHIP),
                name="scope_course_kind_once",
            ),
        ]

    def __str__(self) -> str:
        subject = self.occupation_id or self.item_id or self.course_kind_id
        return f"{self.institution_id} {self.training_type} {subject}"


class DocumentKind(models.TextChoices):
    """The papers a city reads when it reviews an institution (1c: 资质审核)."""

    BUSINESS_LICENCE = "business_licence", _("营业执照")
    SCHOOL_PERMIT = "school_permit", _("办学许可证")
    VENUE_PROOF = "venue_proof", _("场地证明")
    TEACHER_CERTIFICATE = "teacher_certificate", _("师资证书")
    OTHER = "other", _("其他")


# Documents are kept in the database (one backup holds everything); 10 MB covers a scanned licence.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


class InstitutionDocument(models.Model):
    """One file an institution uploaded for its review: kind, name, type, size, SHA-256 and the bytes."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution_id", "kind", "uploaded_at"]
        verbose_name = "机构资料 institution document"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"),
            models.CheckConstraint(
                condition=Q(size__gte=1, size__lte=DOCUMENT_MAX_BYTES), name="document_size_within_cap"
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=DOCUMENT_CONTENT_TYPES), name="document_type_pdf_jpeg_png"
            ),
            models.CheckConstraint(condition=Exact(Length("sha256"), 64), name="document_sha256_64"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class Venue(models.Model):
    """A training venue the institution uses (1c: 场地): where it is, its floor area and its seats."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(max_length=128)
    address = models.CharField(max_length=256)
    area_m2 = models.DecimalField(max_digits=9, decimal_places=2, help_text="面积（平方米）")
    seats = models.PositiveIntegerField(help_text="工位/座位数")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name = "培训场地 venue"
        constraints = [
            models.CheckConstraint(condition=Q(area_m2__gt=0), name="venue_area_positive"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="venue_seats_positive"),
        ]

    def __str__(self) -> str:
        return self.name
