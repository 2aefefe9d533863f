"""`web.listing.listing_of`: a list computed in Python (a gap table, employment rates) pages at 50 and is
searched by number, with a prefix of its own and the page's other fields kept (issue 15, lists that page)."""

from __future__ import annotations

from django.test import RequestFactory

from qiancheng.web.listing import PER_PAGE, listing_of


def _listed(query: str):
    request = RequestFactory().get(f"/list/?{query}")
    rows = [f"4-10-01-{n:02d}" for n in range(120)]
    return listing_of(request, rows, matches=lambda row, text: text in row, search_label="查找",
                      prefix="g-", keep=("date_from", "w-q"))


def test_a_computed_list_pages_at_50_and_keeps_the_page_fields() -> None:
    first = _listed("date_from=2026-01-01&w-q=abc")
    assert len(first.rows) == PER_PAGE and first.total == 120 and first.paged
    link = first.query_for(page=2)
    assert "g-page=2" in link and "date_from=2026-01-01" in link and "w-q=abc" in link
    assert len(_listed("g-page=3").rows) == 120 - 2 * PER_PAGE


def test_a_computed_list_is_searched_by_number_under_its_prefix() -> None:
    found = _listed("g-q=01-07")
    assert found.rows == ["4-10-01-07"] and found.search == "01-07" and not found.paged
    assert len(_listed("q=01-07").rows) == PER_PAGE  # another list's search leaves this one whole
