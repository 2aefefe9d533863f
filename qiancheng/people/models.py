"""Persons (劳动者) and the history that travels with them.

A person is identified by `person_key`, the keyed hash of the normalised ID number
(qiancheng/people/crypto.py). It is the primary key here and the column every person-owned table
points at (`db_column="person_key"`), so child rows can never disagree with their person about the key,
and one value partitions the whole history of a person when the database is distributed.
The ID number, phone and bank account are kept only as ciphertext plus a masked form
(docs/adr/0001-personal-data-at-rest.md); CHECK constraints refuse a clear value in a ciphertext column.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from qiancheng.catalog.vocabulary import SkillLevel
from qiancheng.people.crypto import BANK_ACCOUNT, ID_NUMBER, PHONE, SealedTextField

TOKEN_PREFIX = "v1."  # see crypto.TOKEN_VERSION: every ciphertext column starts with it


class Sex(models.TextChoices):
    """Sex as encoded by the ID number (17th digit: odd = male), spelled as identity.check_id_number does."""

    MALE = "M", _("男")
    FEMALE = "F", _("女")


class PersonCategory(models.TextChoices):
    """Who is trained (二、培训对象); the first four are the key groups counted by 2.1b."""

    GRADUATE_YOUTH = "graduate_youth", _("高校毕业生等青年")  # 2.1a
    RURAL_MIGRANT_WORKER = "rural_migrant_worker", _("农村转移劳动力")  # 2.1a
    REGISTERED_UNEMPLOYED = "registered_unemployed", _("登记失业人员")  # 2.1a
    EMPLOYMENT_DIFFICULTY = "employment_difficulty", _("就业困难人员")  # 2.1a
    ENTERPRISE_EMPLOYEE = "enterprise_employee", _("企业职工（含劳务派遣）")  # 2.2
    OTHER = "other", _("其他")  # none of the above


KEY_GROUPS = (
    PersonCategory.GRADUATE_YOUTH,
    PersonCategory.RURAL_MIGRANT_WORKER,
    PersonCategory.REGISTERED_UNEMPLOYED,
    PersonCategory.EMPLOYMENT_DIFFICULTY,
)


def _sealed(field: str) -> Q:
    """A ciphertext column holds a token or nothing: a clear value can never be written to it."""
    return Q(**{f"{field}__startswith": TOKEN_PREFIX}) | Q(**{field: ""})


class Person(models.Model):
    """One natural person, registered through `people.services.register_person`."""

    person_key = models.CharField(max_length=64, primary_key=True, help_text="HMAC-SHA256 of the ID number")
    id_number_enc = SealedTextField(purpose=ID_NUMBER, keyed_as="person_key",
                                    help_text="AES-256-GCM token of the normalised ID number")
    id_number_masked = models.CharField(max_length=18)
    name = models.CharField(max_length=64)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_date = models.DateField()
    # The 6-digit division code of issue, kept even when the division no longer exists.
    county_code = models.CharField(max_length=6, db_index=True)
    phone_enc = SealedTextField(purpose=PHONE, blank=True, default="")
    phone_masked = models.CharField(max_length=32, blank=True, default="")
    bank_account_enc = SealedTextField(purpose=BANK_ACCOUNT, blank=True, default="")
    bank_account_masked = models.CharField(max_length=40, blank=True, default="")
    # 3.3: IYB/EYB need a business licence on the person's record.
    has_business_licence = models.BooleanField(default=False)
    business_licence_uscc = models.CharField(max_length=18, blank=True, default="")
    # 5.3: receives unemployment-insurance benefit (领取失业保险金), and since when.
    receiving_unemployment_benefit = models.BooleanField(default=False)
    unemployment_benefit_since = models.DateField(null=True, blank=True)
    category = models.CharField(max_length=32, choices=PersonCategory.choices, default=PersonCategory.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "person_key"]
        verbose_name = "劳动者 person"
        constraints = [
            models.CheckConstraint(condition=Exact(Length("person_key"), 64), name="person_key_is_64_chars"),
            models.CheckConstraint(condition=_sealed("id_number_enc"), name="person_id_number_sealed"),
            models.CheckConstraint(condition=_sealed("phone_enc"), name="person_phone_sealed"),
            models.CheckConstraint(condition=_sealed("bank_account_enc"), name="person_bank_sealed"),
            models.CheckConstraint(
                condition=Q(id_number_masked__contains="*"), name="person_id_number_masked_has_mask"
            ),
            models.CheckConstraint(
                condition=Q(phone_enc="", phone_masked="") | (~Q(phone_enc="") & ~Q(phone_masked="")),
                name="person_phone_masked_iff_sealed",
            ),
            models.CheckConstraint(
                condition=Q(bank_account_enc="", bank_account_masked="")
                | (~Q(bank_account_enc="") & ~Q(bank_account_masked="")),
                name="person_bank_masked_iff_sealed",
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="person_sex_valid"),
            models.CheckConstraint(condition=Q(category__in=PersonCategory.values), name="person_category_valid"),
            models.CheckConstraint(
                condition=Q(has_business_licence=True) & ~Q(business_licence_uscc="")
                | Q(has_business_licence=False, business_licence_uscc=""),
                name="person_licence_iff_uscc",
            ),
            models.CheckConstraint(
                condition=Q(receiving_unemployment_benefit=True, unemployment_benefit_since__isnull=False)
                | Q(receiving_unemployment_benefit=False, unemployment_benefit_since__isnull=True),
                name="person_benefit_iff_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id_number_masked}"

    @property
    def is_key_group(self) -> bool:
        """2.1b: graduates/youth, rural migrant workers, registered unemployed, employment difficulty."""
        return self.category in KEY_GROUPS


class SkillUpgradeSubsidy(models.Model):
    """参保职工技能提升补贴 granted to an insured employee: history for 3.5c (same occupation and level once)."""

    record_id = models.CharField(max_length=64, unique=True, help_text="the granting system's record ID")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, db_column="person_key", related_name="skill_upgrade_subsidies"
    )
    occupation = models.ForeignKey("catalog.Occupation", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=SkillLevel.choices)
    granted_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["granted_on", "record_id"]
        verbose_name = "技能提升补贴 skill-upgrade subsidy"
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="skill_upgrade_level_1_to_5"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="skill_upgrade_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.occupation_id} L{self.level}"


class PersonLink(models.Model):
    """Two person records (two ID numbers) an official confirmed are one natural person.

    The links in force join persons into identity clusters (people.links); the engine counts the limits of 3.5
    over a whole cluster. A cluster is what its links in force connect, so it is never stored apart from them and
    cannot disagree with them; its canonical key is the smallest person_key in it. A link is never deleted: an
    undo is a second dated decision on the same row, with its own official and reason.
    """

    person_a = models.ForeignKey(Person, on_delete=models.PROTECT, db_column="person_a_key", related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.PROTECT, db_column="person_b_key", related_name="+")
    source = models.CharField(max_length=64, help_text="what found the pair, e.g. risk.linkcandidate:12")
    linked_on = models.DateField(help_text="the programme's day of the confirmation")
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    undone_on = models.DateField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    undo_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-linked_at", "-pk"]
        verbose_name = "确认为同一人 person link"
        constraints = [
            models.CheckConstraint(condition=Q(person_a__lt=F("person_b")), name="person_link_pair_ordered"),
            # One link in force per pair; an undone pair may be linked again by a later decision.
            models.UniqueConstraint(fields=["person_a", "person_b"], condition=Q(undone_at__isnull=True),
                                    name="person_link_once_in_force"),
            models.CheckConstraint(condition=~Q(reason=""), name="person_link_has_reason"),
            models.CheckConstraint(
                condition=Q(undone_at__isnull=True, undone_on__isnull=True, undone_by__isnull=True, undo_reason="")
                | (Q(undone_at__isnull=False, undone_on__isnull=False, undone_by__isnull=False)
                   & ~Q(undo_reason="")),
                name="person_link_undone_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id[:8]}={self.person_b_id[:8]}"

    @property
    def in_force(self) -> bool:
        return self.undone_at is None
