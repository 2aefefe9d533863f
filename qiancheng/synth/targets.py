"""The demo province's targets (1a), stated at its size.

The plan's 180,000 / 210,000 / 210,000 are Guangxi's; a demo of a few thousand people would sit at under 1 %
of them whatever it did. So the demo states its own targets: the plan's figure of each year × (the demo's
trainings over the plan's years / the plan's 600,000), recorded by the province's login through the one
writer (`insight.services.set_target`) with a document that says they are demo targets. The progress, the
projection and the cities below 70 % on the province's home then read as they would in Guangxi.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction

from qiancheng.accounts.models import User
from qiancheng.clock import frozen_at
from qiancheng.insight.figures import programme_achieved
from qiancheng.insight.models import Target
from qiancheng.insight.services import DEMO_DOCUMENT, record_demo_city_targets, scaled_plan_figure, set_target
from qiancheng.policy.params import plan_figures


def demo_scale() -> Fraction | None:
    """The demo's trainings over the plan's years / the plan's programme target; None with no trainings."""
    plan = plan_figures()
    years = plan.target_years()
    achieved = programme_achieved()
    programme = plan.programme_target(dt.date(years[-1], 12, 31))
    if not achieved or not programme:
        return None
    return min(Fraction(achieved, programme), Fraction(1))


def ensure_demo_targets(as_of: dt.date, say: Callable[[str], object] = print) -> bool:
    """Record the province's demo target of each plan year once (from 1 January of the year, on the province's
    date `as_of`); False when they were recorded before or the demo has no trainings."""
    if Target.objects.filter(city__isnull=True, document__startswith=DEMO_DOCUMENT).exists():
        return False
    scale = demo_scale()
    if scale is None:
        return False
    province = User.objects.get(username="province")
    plan = plan_figures()
    with frozen_at(as_of):
        for year in plan.target_years():
            planned = plan.annual_target(year)
            if planned is None:
                continue
            count = scaled_plan_figure(planned, scale)
            document = f"{DEMO_DOCUMENT}：{planned:,}人次 × {scale.numerator:,}/{scale.denominator:,}"
            set_target(province, year, None, count, document, dt.date(year, 1, 1), demo_scale=scale)
            # The province splits it among the cities (1a), in proportion to each city's trainings.
            record_demo_city_targets(province, year, dt.date(year, 1, 1))
            say(f"演示目标 / demo target {year}: {count:,}（{planned:,} × {float(scale):.4%}）")
    return True
