"""Users and their roles, the audit trail, login throttling and API tokens.

What a user may see is decided in one place, `qiancheng/accounts/scope.py`, from the fields here:
`role`, `city` (city officials), and the one owner link a role needs (`institution`, `enterprise`,
`person`). The database refuses a user whose links do not match the role, so a scope can never be
widened by a stray foreign key.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user is in the programme; decides what they may see and do."""

    PROVINCE_OFFICIAL = "province_official", _("自治区人社厅")  # all cities
    CITY_OFFICIAL = "city_official", _("市人社局")  # exactly one city
    INSTITUTION = "institution", _("培训机构")  # its own records
    ENTERPRISE = "enterprise", _("企业/园区")  # its own records
    TRAINEE = "trainee", _("劳动者")  # self only
    # 6: 支持行业主管部门分领域制定培训计划并配合实施: reads its industry's statistics in every city, files its
    # industry's training plan; sees no record of a person, class or claim.
    INDUSTRY_DEPARTMENT = "industry_department", _("行业主管部门")


def _only_for(role: Role, field: str) -> Q:
    """`field` is set exactly when the user has `role`."""
    return Q(role=role, **{f"{field}__isnull": False}) | (~Q(role=role) & Q(**{f"{field}__isnull": True}))


class User(AbstractUser):
    """A login. Superusers with no role use the back office only; they see every record there."""

    role = models.CharField(max_length=32, choices=Role.choices, blank=True, default="")
    city = models.ForeignKey(
        "catalog.City",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officials",
        help_text="市人社局 officials only: the one city they see",
    )
    institution = models.ForeignKey(
        "providers.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    enterprise = models.ForeignKey(
        "demand.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    person = models.OneToOneField(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    industry = models.ForeignKey(
        "catalog.Industry", null=True, blank=True, on_delete=models.PROTECT, related_name="departments",
        help_text="行业主管部门 only: the \"1+19\" industry it plans for",
    )

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = "用户 user"
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[*Role.values, ""]),
                name="user_role_valid",
                violation_error_message="角色无效 / unknown role",
            ),
            # A city official without a city would see nothing or, worse, be mistaken for a province one.
            models.CheckConstraint(
                condition=_only_for(Role.CITY_OFFICIAL, "city"),
                name="user_city_iff_city_official",
                violation_error_message="市人社局账户必须指定城市，其他角色不指定 / "
                "a city official needs a city; no other role has one",
            ),
            models.CheckConstraint(
                condition=_only_for(Role.INSTITUTION, "institution"),
                name="user_institution_iff_role",
                violation_error_message="培训机构账户必须指定机构，其他角色不指定 / "
                "an institution account needs its institution; no other role has one",
            ),
            models.CheckConstraint(
                condition=_only_for(Role.ENTERPRISE, "enterprise"),
                name="user_enterprise_iff_role",
                violation_error_message="企业账户必须指定企业，其他角色不指定 / "
                "an enterprise account needs its enterprise; no other role has one",
            ),
            models.CheckConstraint(
                condition=_only_for(Role.TRAINEE, "person"),
                name="user_person_iff_trainee",
                violation_error_message="劳动者账户必须指定本人，其他角色不指定 / "
                "a trainee account needs its person; no other role has one",
            ),
            models.CheckConstraint(
                condition=_only_for(Role.INDUSTRY_DEPARTMENT, "industry"),
                name="user_industry_iff_industry_department",
                violation_error_message="行业主管部门账户必须指定产业，其他角色不指定 / "
                "an industry department account needs its industry; no other role has one",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AuditQuerySet(models.QuerySet):
    """Bulk UPDATE and DELETE through the ORM are refused like single rows (the trigger is the backstop)."""

    def update(self, **kwargs: Any) -> int:
        raise AuditTrailIsAppendOnly("update")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("delete")


class AuditTrailIsAppendOnly(Exception):
    """Raised when code tries to change or remove an audit entry."""

    REFUSED_ZH: ClassVar[dict[str, str]] = {
        "update": "审计记录只能追加，不能修改",
        "delete": "审计记录只能追加，不能删除",
        "insert": "审计记录只能由审计服务写入",
    }

    def __init__(self, operation: str) -> None:
        self.operation = operation
        zh = self.REFUSED_ZH[operation]
        super().__init__(f"{zh} / the audit trail is append-only: {operation} refused")


class AuditEntry(models.Model):
    """One recorded event: who did what to which record, with the state before and after.

    Written only by `qiancheng.accounts.audit.record_event`. `hash` is SHA-256 over `prev_hash` and the
    canonical JSON of the entry, so changing, removing or reordering any entry breaks the chain from there
    (`qiancheng audit verify`). The database refuses UPDATE and DELETE (accounts/audit_sql.py).
    """

    seq = models.PositiveBigIntegerField(primary_key=True, help_text="1, 2, 3 … with no gaps")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor_label = models.CharField(max_length=200, help_text="username and role at the time, or 'system'")
    action = models.CharField(max_length=64, db_index=True, help_text="e.g. claim.approved, login.failed")
    target_model = models.CharField(max_length=100, blank=True, default="", help_text="app_label.model")
    target_pk = models.CharField(max_length=100, blank=True, default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = "审计记录 audit entry"
        verbose_name_plural = "审计记录 audit entries"
        indexes = [models.Index(fields=["target_model", "target_pk"], name="audit_target_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(seq__gte=1), name="audit_seq_from_1"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_model}:{self.target_pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("update")
        if not getattr(self, "_written_by_audit_service", False):
            raise AuditTrailIsAppendOnly("insert")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("delete")


class ThrottleKind(models.TextChoices):
    """What a login throttle counts failures for."""

    USERNAME = "username", _("用户名")  # guessing one account's password
    IP = "ip", _("IP 地址")  # one address trying many accounts


class LoginThrottle(models.Model):
    """Failed logins for one username or one address within the current window, and any lockout."""

    kind = models.CharField(max_length=16, choices=ThrottleKind.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "登录限制 login throttle"
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="login_throttle_once_per_key"),
            models.CheckConstraint(condition=Q(kind__in=ThrottleKind.values), name="login_throttle_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} ({self.failures})"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="first characters, to tell tokens apart in lists")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    second_factor = models.CharField(
        max_length=64, blank=True, default="",
        help_text="the device (django-otp persistent id) whose code was given when the token was issued; "
                  "an official's token without one is refused (accounts/second_factor.py)",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "接口令牌 API token"
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_later"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
