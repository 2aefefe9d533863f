"""The one writer of the statistics' pre-aggregate (docs/statistics.md "The pre-aggregate"): `refresh` rebuilds the
counted trainings, the daily sums and the distinct people of some years (or of every year) from the claims, in one
transaction, with one audit entry; `queue_refresh` puts a refresh on the task queue (ADR 0005).

Every row comes from `insight.figures.counted_claims`, the one definition of 人次, through set-based
`INSERT … SELECT` statements the ORM writes (the same SQL on PostgreSQL and SQLite; no row passes through Python):

1. `CountedTraining`: the counted claims of the years, each with its dimensions written out (the city on the claim,
   the trainee's county, the class's form, industry and programme tags, ...);
2. `DailyTrainings`: those rows grouped by day and every dimension (trainings, key-group trainings, amount);
3. `PeopleCount`: distinct people per year and per month, for the province, each city and each industry, in total and
   per value of each breakdown the page shows.

When it runs: after every committed change of a counted claim (`funding.claim_changes`: a claim filed, moved or
decided), a refresh of the changed years is queued to start `REFRESH_DELAY` later, unless one is already waiting to
do them (the changes of a busy day are folded into one refresh instead of one per click); `qiancheng
refresh_statistics` refreshes this year and the last (run it nightly: it also takes in what changes the figures
without changing a claim, such as a class's industry or a trainee's county), and `--full` rebuilds every year.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, ExtractMonth, ExtractYear
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends

from qiancheng.accounts.audit import record_event
from qiancheng.clock import today
from qiancheng.insight.figures import counted_claims
from qiancheng.insight.statistics_models import (
    AggregatedYear,
    CountedTraining,
    DailyTrainings,
    PeopleCount,
    StatisticsRefresh,
    StatisticsRefreshStatus,
)
from qiancheng.policy.params import plan_figures
from qiancheng.policy.vocabulary import KEY_GROUPS
from qiancheng.training.models import TrainingClass

CLASS = "enrolment__training_class__"
LOCK_KEY = 7_110_611  # PostgreSQL advisory lock: one refresh at a time, whatever process runs it
DIMENSIONS = ("year", "month", "day", "city", "county", "training_type", "training_form", "fund", "category",
              "key_group", "occupation", "industry", "institution", "programme_tags")
# The breakdowns whose distinct people are kept (statistics.PAGE_TABLES), each with its column.
PEOPLE_DIMENSIONS = ("city", "month", "training_type", "training_form", "fund", "category", "industry", "occupation",
                     "institution")
SCOPES = ("", "city", "industry")  # the province; one city; one industry (the page as each reader opens it)


def refresh_delay() -> dt.timedelta:
    """How long a refresh queued after a change waits, so that the day's further changes join it (settings
    `STATISTICS_REFRESH_DELAY_SECONDS`, 300 by default)."""
    return dt.timedelta(seconds=getattr(settings, "STATISTICS_REFRESH_DELAY_SECONDS", 300))


# What the page promises: a change is counted within the wait plus this allowance for the queue and the refresh
# itself (a year of a 3,000,000-enrolment province refreshes in about a minute: bench/README.md).
REFRESH_ALLOWANCE = dt.timedelta(minutes=5)


def stated_lag_minutes() -> int:
    """The minutes the pages say a change of a claim may take to reach the figures."""
    return int((refresh_delay() + REFRESH_ALLOWANCE).total_seconds() // 60)


class TagList(Aggregate):
    """The programme tags of a class as one text, ordered on PostgreSQL (SQLite: GROUP_CONCAT, in its order)."""

    function = "STRING_AGG"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="STRING_AGG(%(expressions)s, ',' ORDER BY %(expressions)s)",
                           **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="GROUP_CONCAT(%(expressions)s, ',')", **extra)


def of_years(years: list[int]) -> Q:
    """Claims whose training ended in one of `years` (a range per year: the end date's index serves it)."""
    condition = Q(pk__in=[])
    for year in years:
        condition |= Q(end_date__gte=dt.date(year, 1, 1), end_date__lte=dt.date(year, 12, 31))
    return condition


def counted_projection(years: list[int] | None) -> tuple[models.QuerySet, list[str]]:
    """The counted claims of `years` (None: every year), one row each, as CountedTraining's columns; and the names
    of those columns in the order selected."""
    claims = counted_claims().order_by()
    if years is not None:
        claims = claims.filter(of_years(years))
    tags = (TrainingClass.programme_tags.through.objects.filter(trainingclass_id=OuterRef(f"{CLASS}id"))
            .order_by().values("trainingclass_id")
            .annotate(tags=Concat(Value(","), TagList("programmetag_id"), Value(","), output_field=CharField()))
            .values("tags"))
    columns: dict[str, Any] = {
        "claim_id": F("pk"), "person_key": F("person_id"), "amount": Coalesce("total_amount", Value(Decimal(0))),
        "year": ExtractYear("end_date"), "month": ExtractMonth("end_date"), "day": F("end_date"),
        "city": Coalesce("city_id", Value("")), "county": Coalesce("person__county_code", Value("")),
        "training_type": F("training_type"), "training_form": Coalesce(f"{CLASS}training_form", Value("")),
        "fund": F("fund"), "category": F("person_category"),
        "key_group": Case(When(person_category__in=KEY_GROUPS, then=Value(True)), default=Value(False),
                          output_field=BooleanField()),
        "occupation": Coalesce("occupation_id", Value("")), "industry": Coalesce(f"{CLASS}industry_id", Value("")),
        "institution": F("institution_id"),
        "programme_tags": Coalesce(Subquery(tags, output_field=CharField()), Value("")),
    }
    aliased = {f"c_{name}": expression for name, expression in columns.items()}
    return claims.annotate(**aliased).values(*aliased), list(columns)


def _insert(model: type[models.Model], select: models.QuerySet, columns: list[str]) -> int:
    """INSERT INTO model's table (columns) <select>: one statement, inside the caller's transaction."""
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)
        return max(cursor.rowcount, 0)


def _of_years(queryset: models.QuerySet, years: list[int] | None) -> models.QuerySet:
    return queryset if years is None else queryset.filter(year__in=years)


def _daily(years: list[int] | None) -> models.QuerySet:
    """The counted trainings grouped by day and every dimension."""
    return (_of_years(CountedTraining.objects.order_by(), years).values(*DIMENSIONS)
            .annotate(d_trainings=Count("pk"), d_key_group=Count("pk", filter=Q(key_group=True)),
                      d_amount=Sum("amount")))


def _people(years: list[int] | None, by_month: bool, scope: str, dimension: str) -> models.QuerySet:
    """Distinct people per year (or month), scope value and value of one breakdown ('' the total)."""
    rows = _of_years(CountedTraining.objects.order_by(), years)
    if scope:
        rows = rows.exclude(**{scope: ""})
    if dimension == "institution":
        key: Any = Coalesce(Cast("institution", CharField()), Value(""))
    elif dimension == "month":
        key = Cast("month", CharField())
    elif dimension:
        key = F(dimension)
    else:
        key = Value("")
    return (rows.annotate(p_year=F("year"), p_month=F("month") if by_month else Value(0),
                          p_scope=Concat(Value(f"{scope}:"), F(scope), output_field=CharField()) if scope else Value(""),
                          p_dimension=Value(dimension), p_key=key)
            .values("p_year", "p_month", "p_scope", "p_dimension", "p_key")
            .annotate(p_people=Count("person_key", distinct=True)))


def _write(years: list[int] | None) -> tuple[int, int, int]:
    """Delete the years' rows and write them again from the claims; returns (trainings, daily rows, people rows)."""
    for model in (PeopleCount, DailyTrainings, CountedTraining):
        _of_years(model.objects.all(), years).delete()
    trainings = _insert(CountedTraining, *counted_projection(years))
    daily = _insert(DailyTrainings, _daily(years), [*DIMENSIONS, "trainings", "key_group_trainings", "amount"])
    people = 0
    for by_month in (False, True):
        for scope in SCOPES:
            for dimension in ("", *PEOPLE_DIMENSIONS):
                if by_month and dimension == "month":
                    continue  # a month's trend is the year's month table
                people += _insert(PeopleCount, _people(years, by_month, scope, dimension),
                                  ["year", "month", "scope", "dimension", "key", "people"])
    return trainings, daily, people


def refresh(actor: Any, years: Iterable[int] | None, trigger: str, *, job: StatisticsRefresh | None = None
            ) -> StatisticsRefresh:
    """Rebuild the pre-aggregate of `years` (None: every year, from scratch) from the claims, in one transaction,
    audited `statistics.refreshed`. Readers see the old figures until it commits, then the new ones."""
    wanted = None if years is None else sorted({int(year) for year in years})
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        now = timezone.now()
        if job is None:
            job = StatisticsRefresh.objects.create(years=wanted or [], every_year=wanted is None, trigger=trigger,
                                                   requested_by=actor, requested_at=now, status=StatisticsRefreshStatus.RUNNING,
                                                   started_at=now)
        trainings, daily, people = _write(wanted)
        counted = dict(CountedTraining.objects.order_by().values("year").annotate(n=Count("pk"))
                       .values_list("year", "n"))
        if wanted is None:
            AggregatedYear.objects.all().delete()
            # Every year of the data, and those a reader opens by default, even without a training yet.
            stamped = sorted({*counted, today().year - 1, today().year, *plan_figures().target_years()})
        else:
            AggregatedYear.objects.filter(year__in=wanted).delete()
            stamped = wanted
        finished = timezone.now()
        AggregatedYear.objects.bulk_create([AggregatedYear(year=year, refreshed_at=finished,
                                                           trainings=counted.get(year, 0), refresh=job)
                                            for year in stamped])
        job.status, job.finished_at = StatisticsRefreshStatus.DONE, finished
        job.trainings, job.daily_rows, job.people_rows = trainings, daily, people
        job.seconds = round(time.perf_counter() - started, 3)
        job.save()
        record_event(actor, "statistics.refreshed", job, after={
            "years": wanted or "all", "trigger": trigger, "trainings": trainings, "daily_rows": daily,
            "people_rows": people, "seconds": job.seconds})
    return job


# ---------------------------------------------------------------- on the task queue (ADR 0005)


@task()
def run_refresh(job_id: int) -> str:
    """The queued refresh of one `StatisticsRefresh`. Safe to run again (a reclaimed task): a finished job is left
    as it is; a refresh run twice writes the same rows (it deletes the years' rows first, in its transaction)."""
    job = StatisticsRefresh.objects.filter(pk=job_id).first()
    if job is None or job.status == StatisticsRefreshStatus.DONE:
        return job.status if job else "missing"
    # Marked running (committed) before it reads the claims: a change committed from now on queues a new refresh.
    StatisticsRefresh.objects.filter(pk=job.pk).update(status=StatisticsRefreshStatus.RUNNING,
                                                       started_at=timezone.now())
    try:
        refresh(job.requested_by, None if job.every_year else job.years, job.trigger, job=job)
    except Exception:
        StatisticsRefresh.objects.filter(pk=job.pk).update(status=StatisticsRefreshStatus.FAILED,
                                                           finished_at=timezone.now())
        raise  # the task is marked failed and the worker logs the traceback
    return StatisticsRefreshStatus.DONE


def queue_refresh(actor: Any, years: Iterable[int] | None, trigger: str, *,
                  delay: dt.timedelta | None = None) -> StatisticsRefresh:
    """Queue a refresh of `years` (None: every year), to start after `delay` where the backend can wait (the
    database backend; the immediate backend of the tests runs it at once). A refresh already waiting (not yet
    started) that covers these years is returned instead of queueing another. Audited
    `statistics.refresh_queued`."""
    wanted = None if years is None else sorted({int(year) for year in years})
    with transaction.atomic():
        waiting = StatisticsRefresh.objects.select_for_update().filter(status=StatisticsRefreshStatus.QUEUED)
        for job in waiting.order_by("pk"):
            if job.every_year or (wanted is not None and set(wanted) <= set(job.years)):
                return job
        job = StatisticsRefresh.objects.create(years=wanted or [], every_year=wanted is None, trigger=trigger,
                                               requested_by=actor, requested_at=timezone.now())
        record_event(actor, "statistics.refresh_queued", job, after={"years": wanted or "all", "trigger": trigger})
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        queued_task = run_refresh
        if delay and getattr(backend, "supports_defer", False):
            queued_task = run_refresh.using(run_after=timezone.now() + delay)
        # Enqueued in the job's transaction: with the database backend a job never exists without its task.
        queued = queued_task.enqueue(job.pk)
        StatisticsRefresh.objects.filter(pk=job.pk).update(task_id=str(queued.id))
    job.refresh_from_db()
    return job


def after_claims_changed(years: frozenset[int]) -> None:
    """funding.claim_changes' receiver (registered in InsightConfig.ready): queue a refresh of those years."""
    queue_refresh(None, years, "claims_changed", delay=refresh_delay())


def periodic_years(on: dt.date | None = None) -> list[int]:
    """What the nightly refresh rebuilds: this year and the last (claims of last year are still decided and paid
    in January)."""
    day = on or today()
    return [day.year - 1, day.year]
