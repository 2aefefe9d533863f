"""The tabs of a class page (概况 / 名册 / 考勤 / 考核 / 补贴): one concern a page, each its own address, drawn
by `training/_class_tabs.html` as links (no JavaScript), the open one marked `aria-current="page"`.

Training draws the first three; the apps above it add theirs from their urls module (evaluation the
assessment, funding the subsidy), as pages add their links to the bar, so training imports neither:

    add_class_tab("assessment", _("考核"), "evaluation:class_results", kwarg="class_pk", order=40,
                  shown=lambda user, training: user.role in RESULT_READERS)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


def _always(user: Any, training: Any) -> bool:
    return True


@dataclass(frozen=True)
class ClassTab:
    key: str
    label: str | Promise
    url_name: str
    order: int
    kwarg: str = "pk"
    shown: Callable[[Any, Any], bool] = _always


_TABS: dict[str, ClassTab] = {}


def add_class_tab(key: str, label: str | Promise, url_name: str, *, order: int, kwarg: str = "pk",
                  shown: Callable[[Any, Any], bool] = _always) -> ClassTab:
    """Add a tab to every class page: `url_name` reversed with the class's pk as `kwarg`, for the users
    `shown(user, training)` lets open it (a tab that would answer 403 or 404 is not drawn)."""
    tab = ClassTab(key, label, url_name, order, kwarg, shown)
    _TABS[key] = tab
    return tab


@dataclass(frozen=True)
class DrawnTab:
    label: str | Promise
    url: str
    current: bool
    key: str


def class_tabs(user: Any, training: Any, current: str) -> list[DrawnTab]:
    """The tabs `user` may open on `training`'s page, in order, `current` marked."""
    ordered = sorted(_TABS.values(), key=lambda each: (each.order, each.key))
    return [DrawnTab(tab.label, reverse(tab.url_name, kwargs={tab.kwarg: training.pk}), tab.key == current, tab.key)
            for tab in ordered if tab.shown(user, training)]
