"""The class page's tab 重点群体占比 (2.1b): what the class's roster would do to its city's key-group share of the
year it ends in, read before the class opens (and at any time after). Officials only: the figure is the city's.

The numbers are `figures.share_if_class_added` (the one function; docs/statistics.md "Before a class opens").
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from qiancheng.accounts.guards import signed_in_as
from qiancheng.accounts.scope import get_scoped_or_404
from qiancheng.insight import figures
from qiancheng.training.class_tabs import class_tabs
from qiancheng.training.models import TrainingClass


def may_read(user: Any, training: Any) -> bool:
    """The tab is drawn for the province and for the official of the class's city."""
    return figures.visible_cities(user).filter(code=training.city_id).exists()


@signed_in_as(figures.READERS)
@require_safe
def class_share(request: HttpRequest, class_pk: int) -> HttpResponse:
    """`/insight/classes/<pk>/key-group-share/`: the city's share of the class's year, now and with its roster."""
    training = get_scoped_or_404(TrainingClass.objects.select_related("city", "institution"), request.user,
                                 pk=class_pk)
    change = figures.share_if_class_added(training)
    added = change.after.trainings - change.before.trainings
    added_key = change.after.key_group - change.before.key_group
    return render(request, "insight/class_share.html", {
        "training": training, "change": change, "added": added, "added_key": added_key,
        "min_percent": f"{change.min_share * 100:.0f}",
        "tabs": class_tabs(request.user, training, "key_group_share"),
    })
