"""The navigation bar: which links each role sees. Apps add their pages with `add_link`.

Example, from an app's `AppConfig.ready()`:

    from django.utils.translation import gettext_lazy as _
    from qiancheng.web.navigation import PUBLIC, add_link
    add_link(_("培训班"), "training:class_list", roles={"city_official", "institution"}, order=30)
    add_link(_("证书查验"), "evaluation:verify", roles={PUBLIC}, order=90)

`PUBLIC` links show to everyone, signed in or not, and on the public landing page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role

PUBLIC = "public"
ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url_name: str
    roles: frozenset[str]
    order: int = 50


_LINKS: dict[str, NavLink] = {}


def add_link(
    label: str | Promise, url_name: str, roles: set[str] | frozenset[str], order: int = 50
) -> NavLink:
    """Show `url_name` in the bar to users with one of `roles` (or to everyone with PUBLIC)."""
    unknown = set(roles) - ALL_ROLES - {PUBLIC}
    if unknown:
        raise ValueError(f"未知角色 / unknown roles for {url_name}: {sorted(unknown)}")
    link = NavLink(label=label, url_name=url_name, roles=frozenset(roles), order=order)
    _LINKS[url_name] = link
    return link


def links_for(user: Any) -> list[tuple[str | Promise, str]]:
    """(label, url) of every link the user may see, in order (a wrong url_name fails every page, loudly)."""
    role = getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""
    visible = [link for link in _LINKS.values() if PUBLIC in link.roles or role in link.roles]
    ordered = sorted(visible, key=lambda each: (each.order, each.url_name))
    return [(link.label, reverse(link.url_name)) for link in ordered]


def public_links() -> list[tuple[str | Promise, str]]:
    return links_for(None)


@dataclass(frozen=True)
class MenuEntry:
    """One item of the bar: a link (`url` set) or a group of links opened on click (`links` set)."""

    label: str | Promise
    url: str = ""
    links: tuple[tuple[str | Promise, str], ...] = ()


# An official's bar would need three rows for all their pages: theirs are grouped by the part of the work
# they belong to. Other roles have a handful of links and keep them flat.
_GROUPED_ROLES = {Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL}
_GROUPS = {
    "providers": _("培训管理"), "training": _("培训管理"), "projects": _("培训管理"), "evaluation": _("培训管理"),
    "funding": _("补贴资金"), "policy": _("补贴资金"), "catalog": _("补贴资金"),  # catalog: the parks of 4.1
}
_PUBLIC_GROUP = _("公开查询")


def menu_for(user: Any) -> list[MenuEntry]:
    """The bar as shown: signed-in users find the public pages under one group; officials' pages are
    grouped by the part of the work (training, money)."""
    role = getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""
    visible = [link for link in _LINKS.values() if PUBLIC in link.roles or role in link.roles]
    ordered = sorted(visible, key=lambda each: (each.order, each.url_name))
    entries: list[MenuEntry] = []
    grouped: dict[str, list[tuple[str | Promise, str]]] = {}
    for link in ordered:
        url = reverse(link.url_name)
        group = None
        if role and PUBLIC in link.roles and role not in link.roles:
            group = _PUBLIC_GROUP
        elif role in _GROUPED_ROLES:
            group = _GROUPS.get(link.url_name.split(":")[0])
        if group is None:
            entries.append(MenuEntry(label=link.label, url=url))
            continue
        key = str(group)
        if key not in grouped:
            grouped[key] = []
            entries.append(MenuEntry(label=group))
        grouped[key].append((link.label, url))
    return [MenuEntry(label=entry.label, links=tuple(grouped[str(entry.label)])) if not entry.url else entry
            for entry in entries]

