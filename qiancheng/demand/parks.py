"""A park's operating company (园区运营主体, 4.1): the enterprise that speaks for its park.

An enterprise registers like any other (demand.services.register_enterprise_with_account), naming its park;
once approved, the park's city (or the province) appoints it the park's operator. Its logins are then the
park's logins: they report demand for the park in the park's census rounds (1c, 4.1), apply for project
training as the park (3.4a) and read the demand reports of every enterprise in the park. One operator per
park (a database constraint); appointing another moves the role, both changes audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import IndustrialPark
from qiancheng.demand.models import Enterprise, EnterpriseStatus

AUDITED = ("park_id", "is_park_operator")


def operator_of(park: IndustrialPark) -> Enterprise | None:
    return Enterprise.objects.filter(park=park, is_park_operator=True).first()


def operates(user: Any, park: IndustrialPark) -> bool:
    """Whether `user` signs in for the park's operating company."""
    return (getattr(user, "role", None) == Role.ENTERPRISE and user.enterprise_id is not None
            and Enterprise.objects.filter(pk=user.enterprise_id, park=park, is_park_operator=True).exists())


def parks_operated_by(enterprise_id: int) -> Q:
    """Scope helper: records of the enterprises in a park that `enterprise_id` operates."""
    return Q(enterprise__park__in=Enterprise.objects.filter(pk=enterprise_id, is_park_operator=True).values("park"))


def appoint_park_operator(actor: Any, park: IndustrialPark, enterprise: Enterprise) -> Enterprise:
    """The park's city, or the province, names the approved enterprise of the park that operates it (4.1)."""
    if actor is None or not actor.is_active or not (
            actor.role == Role.PROVINCE_OFFICIAL or actor.role == Role.CITY_OFFICIAL and actor.city_id == park.city_id):
        raise PermissionDenied("只有园区所在市人社局或自治区人社厅可以指定园区运营主体 / only the park's city or the "
                               "province appoints its operator")
    if enterprise.park_id != park.pk:
        raise ValidationError("该企业不在本园区 / the enterprise is not in this park", code="not_in_park")
    if enterprise.status != EnterpriseStatus.APPROVED:
        raise ValidationError("该企业注册尚未通过审核 / the enterprise is not approved yet", code="not_approved")
    with transaction.atomic():
        current = Enterprise.objects.select_for_update().filter(park=park, is_park_operator=True).first()
        if current is not None and current.pk == enterprise.pk:
            raise ValidationError("该企业已是本园区运营主体 / the enterprise already operates the park",
                                  code="already_operator")
        if current is not None:
            before = snapshot(current, AUDITED)
            current.is_park_operator = False
            current.save(update_fields=["is_park_operator", "updated_at"])
            record_event(actor, "park.operator_removed", current, before=before, after=snapshot(current, AUDITED))
        chosen = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        before = snapshot(chosen, AUDITED)
        chosen.is_park_operator = True
        chosen.save(update_fields=["is_park_operator", "updated_at"])
        record_event(actor, "park.operator_appointed", chosen, before=before, after=snapshot(chosen, AUDITED))
    return chosen
