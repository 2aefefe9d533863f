"""Template tags of the page shell: the navigation bar and who is signed in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from qiancheng.accounts.models import Role
from qiancheng.web.navigation import menu_for

register = template.Library()


@register.inclusion_tag("web/_nav.html", takes_context=True)
def nav_bar(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    current = request.path
    entries = []
    for entry in menu_for(request.user):
        links = [(label, url, url == current) for label, url in entry.links]
        entries.append({"label": entry.label, "url": entry.url, "current": entry.url == current,
                        "links": links, "open_here": any(here for _, _, here in links)})
    return {"entries": entries}


@register.simple_tag
def role_label(user: Any) -> str:
    return str(Role(user.role).label) if getattr(user, "role", "") else ""


@register.simple_tag
def scope_label(user: Any) -> str:
    """What the user's view is limited to: the city, institution or enterprise, or the whole province."""
    if user.role == Role.PROVINCE_OFFICIAL:
        return "广西壮族自治区"
    if user.role == Role.CITY_OFFICIAL and user.city_id:
        return user.city.name
    if user.role == Role.INSTITUTION and user.institution_id:
        return user.institution.name
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return user.enterprise.name
    return ""


@register.filter
def yuan(amount: Decimal | None) -> str:
    """Money as officials write it: thousands separated, two decimals (1,800.00)."""
    return f"{(amount or Decimal('0')):,.2f}"
