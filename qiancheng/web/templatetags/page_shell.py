"""Template tags of the page shell: the navigation bar and who is signed in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from qiancheng.accounts.models import Role
from qiancheng.web.navigation import links_for, menu_for

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


@register.inclusion_tag("web/_breadcrumbs.html", takes_context=True)
def breadcrumbs(context: template.Context) -> dict[str, Any]:
    """Where the page sits: 首页, then the bar's page that this one belongs under (the longest bar link whose
    address starts this page's), so a class page leads back to 培训班. The page itself is its h1, not a crumb;
    the home page and the bar's own pages under 首页 show only 首页."""
    request = context.get("request")
    if request is None or request.path == "/":
        return {"crumbs": []}
    crumbs: list[tuple[Any, str]] = [(_("首页"), "/")]
    parents = [(label, url) for label, url in links_for(request.user)
               if url != "/" and request.path.startswith(url) and request.path != url]
    if parents:
        crumbs.append(max(parents, key=lambda each: len(each[1])))
    return {"crumbs": crumbs}


@register.simple_tag
def person_name(user: Any) -> str:
    """The person in the header, not the login: a trainee's own name, else the account's full name in the
    Chinese order (family name first), else the login name."""
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    if person is not None and person.name:
        return person.name
    family, given = (user.last_name or "").strip(), (user.first_name or "").strip()
    if family or given:
        return f"{family}{given}" if not (family.isascii() and given.isascii()) else f"{given} {family}".strip()
    return user.username


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


# Figures: one way to write amounts, counts and dates on every page (qiancheng.css keeps each on one line:
# `.num`, `.figure` and `<time>` do not wrap).
WAN = Decimal("10000")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _decimal(amount: object) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        return Decimal(str(amount))
    except ArithmeticError:
        return None


@register.filter
def wan_yuan(amount: object) -> str:
    """A large amount where people compare them (fund cards, city totals): 95,260,000.00 → "9,526.00万元";
    in English "95.26 million yuan". Empty for no amount."""
    value = _decimal(amount)
    if value is None:
        return ""
    if translation.get_language() == "en":
        return f"{value / 1_000_000:,.2f} million yuan"
    return f"{value / WAN:,.2f}万元"


@register.filter
def count(number: object) -> str:
    """A count with thousands separated: 3556 → "3,556"."""
    try:
        return f"{int(number):,}"  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "" if number is None else str(number)


@register.filter
def day(value: object) -> str:
    """The one date format: "2026年10月1日" on Chinese pages, "1 Oct 2026" on English ones (a datetime shows
    its local date). Empty for no date."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        return str(value)
    if translation.get_language() == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def page_query(listed: Any, number: int) -> str:
    """The query string of page `number` of a web.listing.Listing, its search, filters and order kept."""
    return listed.query_for(page=number)


@register.filter
def form_problems(form: Any) -> list[tuple[str, str]]:
    """(the field's id to link to, its message) of a bound form, in the form's order, "" for a message about the
    whole form: `PlainForm.error_summary`, and the same for a form that is not a PlainForm."""
    if hasattr(form, "error_summary"):
        return form.error_summary
    found = [("", str(message)) for message in form.non_field_errors()]
    for bound in form:
        found += [(bound.id_for_label or bound.auto_id or "", str(message)) for message in bound.errors]
    return found
