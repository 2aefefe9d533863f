"""Creating accounts: validated, role links checked with a clear message, audited; back-office edits audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from qiancheng.accounts.models import AuditEntry, Role, User
from qiancheng.accounts.services import create_account
from qiancheng.catalog.models import City

pytestmark = pytest.mark.django_db


def test_create_account_saves_and_audits(province_official) -> None:
    city = City.objects.create(code="450200", name="柳州市")
    user = create_account(province_official, "liuzhou2", "a-long-enough-passphrase", Role.CITY_OFFICIAL, city=city)
    assert user.check_password("a-long-enough-passphrase") and user.password.startswith("argon2$")
    entry = AuditEntry.objects.get(action="account.created")
    assert entry.actor == province_official and entry.target_pk == str(user.pk)
    assert entry.after["role"] == "city_official" and entry.after["city_id"] == "450200"
    assert "password" not in entry.after


def test_a_city_official_without_a_city_gets_a_bilingual_reason(province_official) -> None:
    with pytest.raises(ValidationError) as refusal:
        create_account(province_official, "nocity", "a-long-enough-passphrase", Role.CITY_OFFICIAL)
    assert "市人社局账户必须指定城市" in str(refusal.value) and "a city official needs a city" in str(refusal.value)
    assert not User.objects.filter(username="nocity").exists()
    assert not AuditEntry.objects.exists()


def test_a_weak_password_is_refused(province_official) -> None:
    with pytest.raises(ValidationError):
        create_account(province_official, "weak", "password", Role.PROVINCE_OFFICIAL)


def test_back_office_changes_to_an_account_are_audited(client: Client, nanning_official) -> None:
    admin = User.objects.create_superuser("root", password="a-long-enough-passphrase")
    client.force_login(admin)
    url = f"/admin/accounts/user/{nanning_official.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({
        "username": "nanning", "role": "city_official", "city": "450100", "is_active": "",
        "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00",
    })
    for name in ("groups", "user_permissions", "last_login", "institution", "enterprise", "person",
                 "is_staff", "is_superuser"):
        data.pop(name, None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = AuditEntry.objects.get(action="account.changed")
    assert entry.actor == admin and entry.before["is_active"] is True and entry.after["is_active"] is False
