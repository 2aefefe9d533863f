"""An industry's training plan (6: 支持行业主管部门分领域制定培训计划并配合实施) and its progress.

The industry department (`Role.INDUSTRY_DEPARTMENT`, one "1+19" industry) files the trainings (人次) it plans for
a year, by occupation, with its document; a change is a new filing, and the newest filing of the industry and year
is the plan in force. Progress reads, per occupation of the plan, the trainings of that occupation in classes
recorded for the industry (`TrainingClass.industry`), counted by the one definition (`insight.statistics`, which
reads `insight.figures.counted_claims`), against the plan spread evenly over the year (`figures.expected_by`).

Who: the department files and reads its own industry's plans; the province reads every industry's; a city official
reads none (a plan is province-wide); everyone else is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.catalog.models import Industry, Occupation
from qiancheng.insight import figures, statistics
from qiancheng.insight.plan_models import IndustryPlan, IndustryPlanLine
from qiancheng.policy.params import plan_figures

READERS = frozenset({Role.PROVINCE_OFFICIAL, Role.INDUSTRY_DEPARTMENT})
DOCUMENT_MAX = 255
LINES_MAX = 500
COUNT_MAX = 10_000_000


def _refuse(code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"{zh} / {en}", code=code)


def file_plan(actor: Any, year: int, lines: Iterable[tuple[str, int]], document: str) -> IndustryPlan:
    """The department files its industry's plan for `year`: (occupation code, trainings) lines, each occupation
    once, with the document; audited `industry_plan.filed`. The newest filing is the plan in force."""
    if getattr(actor, "role", None) != Role.INDUSTRY_DEPARTMENT or not getattr(actor, "industry_id", None):
        raise PermissionDenied("只有行业主管部门可以报送本行业培训计划 / only an industry department files its plan")
    years = plan_figures().target_years()
    if year not in years:
        raise _refuse("year_outside_plan", f"{year}年不在行动计划的年度内（{years[0]}—{years[-1]}年）",
                      f"{year} is not a year of the plan ({years[0]}-{years[-1]})")
    document = (document or "").strip()
    if not document or len(document) > DOCUMENT_MAX:
        raise _refuse("document_missing", f"须填写计划的文件文号（不超过{DOCUMENT_MAX}字）",
                      f"give the plan's document number (at most {DOCUMENT_MAX} characters)")
    wanted = [(str(code).strip(), count) for code, count in lines]
    if not wanted or len(wanted) > LINES_MAX:
        raise _refuse("no_lines", f"计划须列出1至{LINES_MAX}个职业及其培训人次",
                      f"a plan lists 1 to {LINES_MAX} occupations with their trainings")
    codes = [code for code, _count in wanted]
    if len(set(codes)) != len(codes):
        raise _refuse("occupation_twice", "同一职业只能列一次", "each occupation is listed once")
    for _code, count in wanted:
        if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= COUNT_MAX:
            raise _refuse("bad_count", f"计划人次须为1至{COUNT_MAX}之间的整数",
                          f"planned trainings are a whole number from 1 to {COUNT_MAX}")
    known = set(Occupation.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise _refuse("occupation_unknown", f"职业编码不存在：{'、'.join(unknown[:5])}",
                      f"no such occupation code: {', '.join(unknown[:5])}")
    with transaction.atomic():
        plan = IndustryPlan.objects.create(industry_id=actor.industry_id, year=year, document=document,
                                           filed_by=actor, filed_at=timezone.now())
        IndustryPlanLine.objects.bulk_create(IndustryPlanLine(plan=plan, occupation_id=code, count=count)
                                             for code, count in wanted)
        record_event(actor, "industry_plan.filed", plan, after={
            "industry": actor.industry_id, "year": year, "document": document,
            "lines": {code: count for code, count in wanted}}, reason="6")
    return plan


def plans(user: Any) -> models.QuerySet[IndustryPlan]:
    """The filings `user` may read (scope: the department its own industry's, the province all)."""
    return scoped(IndustryPlan.objects.select_related("industry", "filed_by"), user)


def plan_in_force(user: Any, industry: str, year: int) -> IndustryPlan | None:
    """The newest filing of the industry and year that `user` may read."""
    return plans(user).filter(industry_id=industry, year=year).order_by("-filed_at", "-pk").first()


@dataclass(frozen=True)
class LineProgress:
    occupation_code: str
    occupation_name: str
    planned: int
    expected: int  # the plan spread evenly over the year, to the day read (figures.expected_by)
    achieved: int  # trainings of the occupation in the industry's classes (statistics.breakdown)

    @property
    def behind(self) -> bool:
        return self.achieved < self.expected

    @property
    def percent(self) -> Decimal:
        return (Decimal(self.achieved) * 100 / self.planned).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class PlanProgress:
    industry: Industry
    year: int
    as_of: dt.date
    plan: IndustryPlan | None
    lines: tuple[LineProgress, ...]
    outside_plan: int  # the industry's trainings in occupations the plan does not list

    @property
    def planned(self) -> int:
        return sum(line.planned for line in self.lines)

    @property
    def achieved(self) -> int:
        return sum(line.achieved for line in self.lines)

    @property
    def expected(self) -> int:
        return sum(line.expected for line in self.lines)


def progress(user: Any, industry: str, year: int, on: dt.date | None = None) -> PlanProgress:
    """The plan in force against the industry's trainings of the year, per occupation. Raises
    statistics.NotAReader for a role that reads no plan, statistics.OutOfScope for another department's industry."""
    if getattr(user, "role", None) not in READERS:
        raise statistics.NotAReader(getattr(user, "role", None))
    scope = statistics.scope_of(user)
    if scope.industry is not None and scope.industry != industry:
        raise statistics.OutOfScope(industry)
    found = Industry.objects.filter(code=industry).first()
    if found is None:
        raise statistics.OutOfScope(industry)
    as_of = figures.reference_day(year, on)
    elapsed = figures.calendar_share(year, as_of)
    plan = plan_in_force(user, industry, year)
    actual = {row.key: row.figures.trainings for row in statistics.breakdown(
        scope, statistics.Filters(year=year, industry=industry), "occupation", top=None).detail_rows}
    lines: list[LineProgress] = []
    if plan is not None:
        names = dict(Occupation.objects.filter(pk__in=plan.lines.values("occupation")).values_list("code", "name"))
        for line in plan.lines.order_by("occupation_id"):
            lines.append(LineProgress(line.occupation_id, names.get(line.occupation_id, ""), line.count,
                                      figures.expected_by(line.count, elapsed), actual.get(line.occupation_id, 0)))
    listed = {line.occupation_code for line in lines}
    outside = sum(count for code, count in actual.items() if code not in listed and code != statistics.NOT_RECORDED)
    return PlanProgress(found, year, as_of, plan, tuple(lines), outside)


def overview(user: Any, year: int, on: dt.date | None = None) -> list[PlanProgress]:
    """Every industry's plan in force for `year` that `user` may read, against its actuals (`progress`, one per
    industry with a filing), the industries in their catalogue order: the progress page's table of industries."""
    if getattr(user, "role", None) not in READERS:
        raise statistics.NotAReader(getattr(user, "role", None))
    filed = plans(user).filter(year=year).values_list("industry_id", flat=True).distinct()
    industries = Industry.objects.filter(code__in=filed).order_by("sort_order", "code").values_list("code", flat=True)
    return [progress(user, code, year, on) for code in industries]
