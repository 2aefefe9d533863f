"""The employment subsidy (5.2c): who is due a proof of employment, who is late, and employment rates.

5.2c pays 200 CNY per trainee of special-account project training employed three months after the
training. The proof (labour contract, wage statement or social-insurance record, with its date) is added
to the trainee's pending claim with `claims.add_employment_proof`; the engine decides it again as of the
programme's today (`qiancheng.clock.today`) and the 200 is approved and paid with the claim
(`approve_claim`, `pay_claim`). A claim is due from end date + 3 calendar months; after a grace period
(local practice, dated below) it is late. Employment rates per class and per institution feed the star
rating (1c).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from qiancheng.accounts.scope import scoped
from qiancheng.catalog.vocabulary import TrainingType
from qiancheng.clock import today
from qiancheng.funding.models import COUNTING_STATUSES, ClaimOrigin, ClaimStatus, FundSource, SubsidyClaim
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.policy.params import plan_figures


@dataclass(frozen=True)
class DatedGrace:
    """How long after the due date a missing proof counts as late, from a date on, with its source."""

    effective_from: dt.date
    months: int
    source: str
    last_checked: dt.date


# Source: local practice. 5.2c sets when the proof is due, not when it is late; one month is the usual
# window cities give institutions to collect contracts or social-insurance records.
EMPLOYMENT_GRACE = (
    DatedGrace(dt.date(2025, 1, 1), 1, "本地做法 local practice (5.2c sets no deadline)", dt.date(2026, 11, 29)),
)


def grace_on(day: dt.date) -> DatedGrace:
    started = [entry for entry in EMPLOYMENT_GRACE if entry.effective_from <= day]
    if not started:
        raise ValueError(f"no employment-proof grace period in force on {day}")
    return max(started, key=lambda entry: entry.effective_from)


def add_calendar_months(day: dt.date, months: int) -> dt.date:
    """The same day number `months` later, or that month's last day (RULES.md: 2025-11-30 + 3 = 2026-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _special_account_project(user: Any) -> Any:
    return scoped(SubsidyClaim.objects.filter(
        origin=ClaimOrigin.SYSTEM, fund=FundSource.SPECIAL_ACCOUNT, training_type=TrainingType.PROJECT,
    ), user)


@dataclass(frozen=True)
class EmploymentDue:
    """One trainee's claim waiting for its proof of employment."""

    claim: SubsidyClaim
    due_on: dt.date  # end date + 3 calendar months: the earliest proof date that earns the 200
    late_from: dt.date  # the day after the grace period
    late: bool


def employment_due(user: Any, on: dt.date | None = None) -> list[EmploymentDue]:
    """Pending or paid special-account project claims (a paid one earns the 200 as a top-up), in the user's
    scope, of trainees who passed, whose class
    ended at least three calendar months before `on` (default: the programme's today) and that carry no
    proof yet: due, and late once the grace period has passed. Oldest first."""
    on = on or today()
    try:
        grace = grace_on(on)
    except ValueError as before_the_rules:
        raise FundingRefused("date_outside_programme", f"{on}早于就业证明规定施行之日",
                             f"{on} is before the employment-proof rules applied", status=422) from before_the_rules
    latest_end = _latest_end_due(on)
    claims = _special_account_project(user).filter(
        status__in=[ClaimStatus.PENDING, ClaimStatus.PAID], passed=True, employment_proof_kind="",
        end_date__lte=latest_end,
    ).select_related("institution", "enrolment__training_class").order_by("end_date", "number")
    found = []
    for claim in claims:
        due_on = proof_due_on(claim.end_date)
        late_from = add_calendar_months(due_on, grace.months) + dt.timedelta(days=1)
        found.append(EmploymentDue(claim, due_on, late_from, on >= late_from))
    return found


def proof_due_on(end_date: dt.date) -> dt.date:
    """5.2c: end date + the calendar months in force on it (plan_figures employment_proof_months): the
    earliest proof date that earns the subsidy, as the engine reads it."""
    return add_calendar_months(end_date, plan_figures().proof_months(end_date))


def _latest_end_due(on: dt.date) -> dt.date:
    """The latest end date whose proof months have passed by `on` (searching back from the shortest period
    of any entry, because month ends make the mapping from end date to due date non-invertible)."""
    shortest = min(entry.value for entry in plan_figures().periods("employment_proof_months"))
    candidate = add_calendar_months(on, -shortest) + dt.timedelta(days=3)
    while proof_due_on(candidate) > on:
        candidate -= dt.timedelta(days=1)
    return candidate


@dataclass(frozen=True)
class EmploymentRate:
    """Employed trainees among those eligible, for one class or one institution."""

    key: int
    label: str
    employed: int
    eligible: int

    @property
    def rate(self) -> Decimal | None:
        if not self.eligible:
            return None
        return (Decimal(self.employed) / Decimal(self.eligible)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class EmploymentRates:
    per_class: list[EmploymentRate]
    per_institution: list[EmploymentRate]


def employment_rates(user: Any, on: dt.date | None = None) -> EmploymentRates:
    """Per class and per institution in the user's scope: of the eligible special-account project claims
    whose three months have passed by `on` (counting or recovered), how many earned the 200 (5.2c)."""
    latest_end = _latest_end_due(on or today())
    claims = _special_account_project(user).filter(
        status__in=[*COUNTING_STATUSES, ClaimStatus.RECOVERED], eligible=True, end_date__lte=latest_end,
    ).values_list("enrolment__training_class_id", "enrolment__training_class__name", "institution_id",
                  "institution__name", "employment_amount")
    by_class: dict[int, list[Any]] = defaultdict(lambda: ["", 0, 0])
    by_institution: dict[int, list[Any]] = defaultdict(lambda: ["", 0, 0])
    for class_id, class_name, institution_id, institution_name, employment_amount in claims:
        employed = 1 if employment_amount and employment_amount > 0 else 0
        for table, key, label in ((by_class, class_id, class_name), (by_institution, institution_id, institution_name)):
            table[key][0] = label
            table[key][1] += employed
            table[key][2] += 1
    return EmploymentRates(
        per_class=[EmploymentRate(key, *row) for key, row in sorted(by_class.items())],
        per_institution=[EmploymentRate(key, *row) for key, row in sorted(by_institution.items())],
    )


def employment_by_institution(start: dt.date, on: dt.date) -> dict[int, tuple[int, int]]:
    """Every institution of the province: (employed, due) among the eligible special-account project claims
    (counting or recovered) whose class ended on or after `start` and whose three months (5.2c) have passed by
    `on`; employed = the claim earned the 200. The same count as `employment_rates`, read by the star rating (1c)."""
    latest_end = _latest_end_due(on)
    claims = SubsidyClaim.objects.filter(
        origin=ClaimOrigin.SYSTEM, fund=FundSource.SPECIAL_ACCOUNT, training_type=TrainingType.PROJECT,
        status__in=[*COUNTING_STATUSES, ClaimStatus.RECOVERED], eligible=True, end_date__gte=start,
        end_date__lte=latest_end, institution_id__isnull=False,
    ).values_list("institution_id", "employment_amount")
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for institution_id, employment_amount in claims:
        found[institution_id][0] += 1 if employment_amount and employment_amount > 0 else 0
        found[institution_id][1] += 1
    return {pk: (employed, due) for pk, (employed, due) in found.items()}
