"""Long lists that page, filter, search and sort: one thin layer over a queryset, read from the GET query.

    listed = listing(request, claims, search=("number", "person__name"),
                     filters=[Filter("status", _("状态"), ClaimStatus.choices)],
                     sorts=[Sort("new", _("最新在前"), ("-created_at",)), ...], subtotal="total_amount")

gives `listed.rows` (at most PER_PAGE of them), `listed.page` (Django's Page), the bound filters and sorts
for the filter bar (`web/_filter_bar.html`), the count and the subtotal of everything that matched (not
only this page), and `listed.query_for(page=…)` for the pager (`web/_pager.html`). An unknown filter value,
sort key or page number is ignored (the first page, the default order), never a 500.

Several lists on one page (the risk page's signals, candidates and cases) each take a `prefix` for their
query's names (`?s-q=…&s-page=2`), and `keep` names the page's own GET fields (a date range, the other lists'
searches) that paging and searching this list must carry along.

Why not django-filter + django-tables2: every list here already has its own table markup (phones, links,
forms per row); what they share is paging, a search box, a few choice filters and a sort, which is this
module, about a hundred lines with no new dependency and no second way to draw a table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

PER_PAGE = 50
BY_NUMBER_OR_NAME = _("按编号或名称查找")  # the search box's label where a list has no words of its own
SEARCH = "q"
SORT = "sort"
PAGE = "page"


@dataclass(frozen=True)
class Filter:
    """A choice filter: `?name=value` keeps rows whose `lookup` (default: `name`) equals one of `choices`, or,
    when `where` is given, the rows its condition for that value selects (e.g. "undecided": eligible IS NULL)."""

    name: str
    label: Any
    choices: Sequence[tuple[Any, Any]]
    lookup: str = ""
    where: Mapping[str, Q] | None = None

    def applied(self, rows: QuerySet, value: str) -> QuerySet:
        if self.where is not None:
            return rows.filter(self.where[value])
        return rows.filter(**{self.lookup or self.name: value})


@dataclass(frozen=True)
class Sort:
    """An order the reader may choose: `?sort=key`."""

    key: str
    label: Any
    order_by: tuple[str, ...]


@dataclass
class BoundFilter:
    name: str
    label: Any
    choices: list[tuple[str, Any]]
    selected: str


@dataclass
class Listing:
    page: Page
    total: int
    search: str
    search_label: Any
    filters: list[BoundFilter]
    sorts: list[Sort]
    sort: str
    subtotal: Decimal | None
    params: dict[str, str] = field(default_factory=dict)
    prefix: str = ""
    kept: dict[str, str] = field(default_factory=dict)  # the page's other GET fields, carried by the filter bar

    @property
    def rows(self) -> list[Any]:
        return list(self.page.object_list)

    @property
    def paged(self) -> bool:
        return self.page.paginator.num_pages > 1

    def query_for(self, **changes: Any) -> str:
        """This list's query string with `changes` (e.g. page=3), empty values left out: "?q=…&page=3"."""
        merged = {**self.kept, **self.params, **{self.prefix + key: str(value) for key, value in changes.items()}}
        kept = {key: value for key, value in merged.items() if value}
        return "?" + urlencode(kept) if kept else "?"


def searched(rows: QuerySet, text: str, fields: Sequence[str]) -> QuerySet:
    """Rows whose number or name contains `text` (any of `fields`); an empty text keeps every row."""
    text = text.strip()
    if not text or not fields:
        return rows
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": text})
    return rows.filter(condition)


def listing(request: HttpRequest, rows: QuerySet, *, search: Sequence[str] = (), search_label: Any = "",
            filters: Sequence[Filter] = (), sorts: Sequence[Sort] = (), subtotal: str = "",
            per_page: int = PER_PAGE, prefix: str = "", keep: Sequence[str] = ()) -> Listing:
    """One page of `rows` as the request's GET asks: searched, filtered, sorted (the first sort is the default).
    `prefix` starts each of this list's query names; `keep` names other GET fields its links and form carry."""
    query = request.GET
    params: dict[str, str] = {}
    text = query.get(prefix + SEARCH, "")[:100]
    if search and text.strip():
        rows = searched(rows, text, search)
        params[prefix + SEARCH] = text
    bound = []
    for each in filters:
        allowed = {str(value) for value, _ in each.choices}
        chosen = query.get(prefix + each.name, "")
        if chosen in allowed:
            rows = each.applied(rows, chosen)
            params[prefix + each.name] = chosen
        else:
            chosen = ""
        bound.append(BoundFilter(each.name, each.label, [(str(value), label) for value, label in each.choices], chosen))
    sort = query.get(prefix + SORT, "")
    by_key = {each.key: each for each in sorts}
    if sort in by_key and sort != sorts[0].key:
        params[prefix + SORT] = sort
    else:
        sort = sorts[0].key if sorts else ""
    if sort:
        rows = rows.order_by(*by_key[sort].order_by)
    total_amount = rows.aggregate(total=Sum(subtotal))["total"] if subtotal else None
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(query.get(prefix + PAGE))
    kept = {name: query[name] for name in keep if query.get(name)}
    return Listing(page, paginator.count, text if search else "", search_label, bound, list(sorts), sort,
                   (total_amount or Decimal("0.00")) if subtotal else None, params, prefix, kept)


def listing_of(request: HttpRequest, items: Sequence[Any], *, matches: Callable[[Any, str], bool] | None = None,
               search_label: Any = "", per_page: int = PER_PAGE, prefix: str = "", keep: Sequence[str] = ()) -> Listing:
    """One page of a list computed in Python (a gap table's rows: not a queryset), searched by `matches(item,
    text)`; no filters, orders or subtotal (the list comes in its own order, its totals are the page's own)."""
    query = request.GET
    params: dict[str, str] = {}
    text = query.get(prefix + SEARCH, "")[:100].strip()
    if matches is not None and text:
        items = [item for item in items if matches(item, text)]
        params[prefix + SEARCH] = text
    paginator = Paginator(items, per_page)
    kept = {name: query[name] for name in keep if query.get(name)}
    return Listing(paginator.get_page(query.get(prefix + PAGE)), paginator.count, text if matches else "",
                   search_label, [], [], "", None, params, prefix, kept)
