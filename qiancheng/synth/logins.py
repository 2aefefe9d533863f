"""One demo login per role, with passwords generated once and kept in `<data dir>/demo-logins.txt` (0600).

The file is how a second `qiancheng demo` can show the same logins again: passwords are stored only
as argon2 hashes in the database. A login missing from the file (the file was deleted) gets a new
password, which is recorded in the audit trail like any password change.

Officials must pass a second factor (accounts/second_factor.py). So that they can sign in to the demo
straight away, each demo official is given a confirmed authenticator whose secret is printed with the
login and kept in the file (fourth column): add it to any authenticator app (or `oathtool --totp -b`) to
get the six-digit code the site asks for after the password (or run `qiancheng democode <username>`).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role, User
from qiancheng.accounts.second_factor import TOTP_DEVICE_NAME, confirmed_totp, enforced_for, secret_base32
from qiancheng.accounts.services import create_account
from qiancheng.catalog.models import City, Industry
from qiancheng.demand.models import Enterprise
from qiancheng.people.models import Person
from qiancheng.providers.models import Institution

LOGINS_FILE = "demo-logins.txt"
NANNING, LIUZHOU = "450100", "450200"


@dataclass(frozen=True)
class Login:
    username: str
    label: str  # role in Chinese and English, as the table shows it
    password: str
    totp_secret: str = ""  # base32, officials only: the authenticator's secret (RFC 6238, 30 s, 6 digits)


@dataclass(frozen=True)
class Seat:
    """A demo login to create: its name, label and what it needs beside the role."""

    username: str
    label: str
    role: str
    links: dict[str, object]
    superuser: bool = False


def _nanning_institution() -> Institution:
    """The 南宁 institution with the most classes: its pages have the most to show."""
    found = (Institution.objects.filter(city_id=NANNING, status="approved").annotate(n=Count("classes"))
             .order_by("-n", "id").first())
    if found is None:
        raise LookupError("合成数据中没有南宁的培训机构 / no Nanning institution in the synthetic data")
    return found


def _nanning_enterprise() -> Enterprise:
    found = Enterprise.objects.filter(city_id=NANNING).annotate(n=Count("projects")).order_by("-n", "id").first()
    if found is None:
        raise LookupError("合成数据中没有南宁的企业 / no Nanning enterprise in the synthetic data")
    return found


def _trainee() -> Person:
    """A 南宁 trainee with a paid claim and a certificate: a lifelong record worth reading."""
    found = (
        Person.objects.filter(claims__status="paid", claims__city_id=NANNING, certificates__isnull=False)
        .filter(~Q(account__isnull=False)).order_by("person_key").first()
    )
    if found is None:
        found = Person.objects.filter(account__isnull=True).order_by("person_key").first()
    if found is None:
        raise LookupError("合成数据中没有劳动者 / no trainee in the synthetic data")
    return found


def _ai_industry() -> Industry:
    """The AI industry (the "1" of "1+19"): the industry department's demo login plans for it."""
    found = Industry.objects.order_by("-is_ai", "sort_order", "code").first()
    if found is None:
        raise LookupError("目录中没有产业 / no industry in the catalogue")
    return found


def seats() -> list[Seat]:
    return [
        Seat("province", "自治区人社厅 Province official", Role.PROVINCE_OFFICIAL, {}),
        Seat("nanning", "南宁市人社局 Nanning city official", Role.CITY_OFFICIAL, {"city": City.objects.get(pk=NANNING)}),
        # A second 南宁 official: an appeal is decided by someone other than the one who rejected (5: appeal).
        Seat("nanning2", "南宁市人社局复核 Nanning appeal reviewer", Role.CITY_OFFICIAL,
             {"city": City.objects.get(pk=NANNING)}),
        Seat("liuzhou", "柳州市人社局 Liuzhou city official", Role.CITY_OFFICIAL, {"city": City.objects.get(pk=LIUZHOU)}),
        Seat("institution", "培训机构 Training institution", Role.INSTITUTION, {"institution": _nanning_institution}),
        Seat("enterprise", "企业 Enterprise", Role.ENTERPRISE, {"enterprise": _nanning_enterprise}),
        Seat("trainee", "劳动者 Trainee", Role.TRAINEE, {"person": _trainee}),
        # 6: 行业主管部门分领域制定培训计划: reads its industry's statistics in every city and files its plan.
        Seat("industry", "行业主管部门 Industry department (AI)", Role.INDUSTRY_DEPARTMENT, {"industry": _ai_industry}),
        Seat("admin", "后台管理员 Superuser (/admin/)", "", {}, superuser=True),
    ]


def read_file(path: Path) -> dict[str, str]:
    """username -> password from the logins file (tab separated: username, password, label, TOTP secret)."""
    return {username: fields[0] for username, fields in read_rows(path).items()}


def read_rows(path: Path) -> dict[str, list[str]]:
    """username -> the line's other fields (password, label, TOTP secret if any)."""
    if not path.exists():
        return {}
    kept = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and not line.startswith("#"):
            kept[parts[0]] = parts[1:]
    return kept


def write_file(path: Path, logins: list[Login]) -> None:
    """Write the logins readable by the owner only (0600), replacing the file atomically."""
    text = ("# 前程 demo logins: username, password, role, authenticator secret (officials) / "
            "演示账号：用户名、密码、角色、身份验证器密钥（人社部门账户）\n") + "".join(
        f"{login.username}\t{login.password}\t{login.label}\t{login.totp_secret}\n" for login in logins
    )
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _new_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, about 96 bits


def _create(seat: Seat, password: str) -> None:
    links = {name: value() if callable(value) else value for name, value in seat.links.items()}
    user = create_account(None, seat.username, password, seat.role, **links)
    if seat.superuser:
        with transaction.atomic():
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
            record_event(None, "account.superuser_granted", user, after={"is_staff": True, "is_superuser": True},
                         reason="qiancheng demo")


def _reset_password(user: User, password: str) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record_event(None, "account.password_set", user, reason="qiancheng demo: logins file was missing")


def _demo_authenticator(user: User) -> str:
    """The official's confirmed authenticator (made now if missing, audited); its secret in base32."""
    device = confirmed_totp(user)
    if device is None:
        with transaction.atomic():
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
            record_event(None, "second_factor.enrolled", user, after={"device": device.persistent_id},
                         reason="qiancheng demo: authenticator secret printed with the demo login")
    return secret_base32(device).replace(" ", "")


def ensure_logins(data_dir: Path) -> tuple[list[Login], list[str]]:
    """Every demo login, creating what is missing; returns (logins, usernames created now)."""
    path = data_dir / LOGINS_FILE
    kept = read_file(path)
    logins, created = [], []
    for seat in seats():
        user = User.objects.filter(username=seat.username).first()
        password = kept.get(seat.username) if user is not None else None
        if user is None:
            password = _new_password()
            _create(seat, password)
            created.append(seat.username)
            user = User.objects.get(username=seat.username)
        elif password is None or not user.check_password(password):
            password = _new_password()
            _reset_password(user, password)
        secret = _demo_authenticator(user) if enforced_for(user) else ""
        logins.append(Login(seat.username, seat.label, password, secret))
    write_file(path, logins)
    return logins, created
