"""Benchmark: the statistics page and the province home at the province's size (issue 11 item 7), on PostgreSQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<empty db> QIANCHENG_DATA_DIR=… \
        python bench/statistics_run.py --people 10000 --copies 245 --runs 20

1. `qiancheng migrate` and `qiancheng synth --people N` (the synthetic province through its own write path).
2. The province made `copies` times larger inside PostgreSQL, by INSERT … SELECT (no row leaves the server): every
   person, enrolment and claim copied with a new key per copy (person key sha256(key:copy), ids offset by
   copy × 100,000, claim numbers suffixed), so 12,277 enrolments × 245 ≈ 3.0 M. Classes, institutions, cities and
   funds stay the province's; a copy's claims are its original's (year, month, city, type, fund, status, amount).
   The synthetic classes state no industry of "1+19", so each class is given one (by its id), else the industry
   filter and table would read nothing. The copied tables' plain indexes are dropped before the copy and built
   again after it. The copies bypass funding's writers, so the statistics' pre-aggregate is then rebuilt
   (`qiancheng refresh_statistics --full`'s service, timed).
3. The refresh of the year (what a change of claims queues), timed `--refresh-runs` times.
4. Timed, `runs` times each, as the province official (Django's test client, the full request): the statistics
   page `/insight/statistics/?year=Y` (and for one city, and with a fund filter, whose people the people table
   does not hold), the API `GET /api/v1/insight/statistics?year=Y` (a token), the province home `/`; and one
   hand-written SQL aggregate over the claims (the city table: trainings, key group, distinct people, amount).
   Median and p95 in ms, as Markdown for bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics as stats
import subprocess
import sys
import time

LOAD_SQL = """
SET session_replication_role = replica;  -- the copies keep their originals' references: no FK trigger per row
SET synchronous_commit = off;
CREATE TEMP TABLE copies AS SELECT generate_series(1, %(copies)s) AS k;
INSERT INTO people_person
SELECT encode(sha256(convert_to(p.person_key || ':' || c.k, 'UTF8')), 'hex'), id_number_enc, id_number_masked, name,
       sex, birth_date, county_code, phone_enc, phone_masked, bank_account_enc, bank_account_masked,
       has_business_licence, business_licence_uscc, receiving_unemployment_benefit, unemployment_benefit_since,
       category, created_at, updated_at
FROM people_person p CROSS JOIN copies c;
INSERT INTO training_enrolment (id, category, category_evidence, receiving_unemployment_benefit, applicant_relation,
       status, enrolled_on, left_on, created_at, updated_at, person_key, training_class_id, benefit_evidence,
       benefit_evidence_date, business_licence_issued_on, business_licence_uscc, category_evidence_date,
       relation_evidence, relation_evidence_date)
SELECT e.id + c.k * 100000, category, category_evidence, receiving_unemployment_benefit, applicant_relation,
       status, enrolled_on, left_on, created_at, updated_at,
       encode(sha256(convert_to(e.person_key || ':' || c.k, 'UTF8')), 'hex'), training_class_id, benefit_evidence,
       benefit_evidence_date, business_licence_issued_on, business_licence_uscc, category_evidence_date,
       relation_evidence, relation_evidence_date
FROM training_enrolment e CROSS JOIN copies c WHERE e.id < 100000;
INSERT INTO funding_subsidyclaim (%(claim_columns)s)
SELECT %(claim_values)s FROM funding_subsidyclaim s CROSS JOIN copies c WHERE s.id < 100000;
UPDATE training_trainingclass SET industry_id = (SELECT code FROM catalog_industry ORDER BY code
       OFFSET (training_trainingclass.id %% (SELECT count(*) FROM catalog_industry)) LIMIT 1)
WHERE industry_id IS NULL;
"""

HAND_SQL = """
SELECT city_id, count(*), count(*) FILTER (WHERE person_category = ANY(%(keys)s)), count(DISTINCT person_key),
       sum(total_amount)
FROM funding_subsidyclaim
WHERE status = ANY(%(statuses)s) AND eligible AND end_date BETWEEN %(first)s AND %(last)s
GROUP BY city_id
"""


# The copied tables' plain indexes (not those behind a primary key or a unique constraint) are dropped before the
# copy and built again after it: building an index once over 3 M rows is far cheaper than updating it 3 M times
# (the claim table has 24). The copy of a claim is computed in its INSERT … SELECT (no temporary table rewritten).
COPIED_TABLES = ("people_person", "training_enrolment", "funding_subsidyclaim")
PLAIN_INDEXES = """
SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
"""
CLAIM_COPY = {"id": "s.id + c.k * 100000", "number": "s.number || '-x' || c.k",
              "enrolment_id": "s.enrolment_id + c.k * 100000",
              "person_key": "encode(sha256(convert_to(s.person_key || ':' || c.k, 'UTF8')), 'hex')"}


def claim_copy_sql(cursor) -> dict[str, str]:
    cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'funding_subsidyclaim' "
                   "ORDER BY ordinal_position")
    columns = [row[0] for row in cursor.fetchall()]
    return {"claim_columns": ", ".join(columns),
            "claim_values": ", ".join(CLAIM_COPY.get(column, f"s.{column}") for column in columns)}


def load(people: int, seed: int, copies: int) -> None:
    qiancheng = [sys.executable, "-m", "qiancheng"]
    started = time.perf_counter()
    subprocess.run([*qiancheng, "migrate", "-v0"], check=True)
    subprocess.run([*qiancheng, "synth", "--people", str(people), "--seed", str(seed), "--no-progress"], check=True)
    synth = time.perf_counter() - started
    import django

    django.setup()
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        dropped = []
        for table in COPIED_TABLES:
            cursor.execute(PLAIN_INDEXES, [table])
            dropped += cursor.fetchall()
        for name, _definition in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(LOAD_SQL % {"copies": copies, **claim_copy_sql(cursor)})
        copied = time.perf_counter() - started
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in dropped:
            cursor.execute(definition)
        indexed = time.perf_counter() - started - copied
        cursor.execute("ANALYZE")
    print(f"synth {synth:.0f} s, copies {copied:.0f} s, {len(dropped)} indexes rebuilt in {indexed:.0f} s, "
          f"whole load step {time.perf_counter() - started:.0f} s", flush=True)
    from qiancheng.insight.statistics_refresh import refresh

    load_before = os.getloadavg()[0]
    job = refresh(None, None, "bench")
    print(f"full rebuild of the pre-aggregate: {job.seconds:.1f} s ({job.trainings:,} trainings), "
          f"load avg {load_before:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)


def timed(call, runs: int) -> tuple[float, float]:
    if runs >= 3:
        call()  # warm: the first request compiles templates and fills caches (skipped when each call is minutes)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return stats.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def measure(year: int, runs: int, refresh_runs: int = 1) -> None:
    import django

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.test import Client

    from qiancheng.accounts.models import Role, User
    from qiancheng.funding.models import SubsidyClaim
    from qiancheng.policy.vocabulary import COUNTING_STATUSES, KEY_GROUPS
    from qiancheng.training.models import Enrolment

    official = User.objects.filter(role=Role.PROVINCE_OFFICIAL, is_active=True).order_by("pk").first() or \
        User.objects.create_user("bench-province", role=Role.PROVINCE_OFFICIAL)
    # Signed in as an official who has passed the second factor (the tests' one helper for it), and an API token.
    from django.db import transaction

    from qiancheng.accounts.services import issue_api_token
    from qiancheng.accounts.tests.second_factor_support import pass_second_factor

    client = Client()
    client.force_login(official)
    pass_second_factor(official, client)
    with transaction.atomic():
        token, _ = issue_api_token(official, second_factor=pass_second_factor(official))

    def get(path: str) -> None:
        response = client.get(path, HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")

    def hand() -> None:
        with connection.cursor() as cursor:
            cursor.execute(HAND_SQL, {"keys": list(KEY_GROUPS), "statuses": list(COUNTING_STATUSES),
                                      "first": dt.date(year, 1, 1), "last": dt.date(year, 12, 31)})
            cursor.fetchall()

    from qiancheng.insight.figures import cities_below_share, home_report
    from qiancheng.insight.statistics_refresh import refresh

    print(f"enrolments {Enrolment.objects.count():,}, claims {SubsidyClaim.objects.count():,}, "
          f"load avg {os.getloadavg()[0]:.1f}")
    if refresh_runs:
        # The task's work: the pre-aggregate of one year rebuilt from the claims (what a change of claims queues).
        for _ in range(refresh_runs):
            load_before = os.getloadavg()[0]
            job = refresh(None, [year], "bench")
            print(f"refresh of {year}: {job.seconds:.1f} s ({job.trainings:,} trainings, {job.daily_rows:,} daily "
                  f"rows, {job.people_rows:,} people rows), load avg {load_before:.1f} -> {os.getloadavg()[0]:.1f}",
                  flush=True)
    print("| what | median ms | p95 ms |")
    print("|---|---:|---:|")
    measured = ((f"statistics page /insight/statistics/?year={year}", lambda: get(f"/insight/statistics/?year={year}"),
                 runs),
                (f"statistics API /api/v1/insight/statistics?year={year}",
                 lambda: get(f"/api/v1/insight/statistics?year={year}"), runs),
                ("province home /", lambda: get("/"), runs),
                ("the home's progress block alone (figures.home_report)", lambda: home_report(official), runs),
                ("the province's queue of cities below 70 % (figures.cities_below_share)",
                 lambda: list(cities_below_share(official)), runs),
                (f"statistics page, one city /insight/statistics/?year={year}&city=450100",
                 lambda: get(f"/insight/statistics/?year={year}&city=450100"), runs),
                # Filters beyond a period and one city or industry: people counted from the counted-training rows.
                (f"statistics page, filters the people table does not hold ?year={year}&fund=special_account",
                 lambda: get(f"/insight/statistics/?year={year}&fund=special_account"), max(3, runs // 4)),
                ("hand-written SQL (city table)", hand, runs))
    for name, call, times in measured:
        median, p95 = timed(call, times)
        print(f"| {name} | {median:,.0f} | {p95:,.0f} |", flush=True)
    print(f"load avg after {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--copies", type=int, default=245)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--refresh-runs", type=int, default=1, help="time the refresh of the year this many times")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("DATABASE_URL must name an empty PostgreSQL database")
    if not args.skip_load:
        load(args.people, args.seed, args.copies)
    measure(args.year, args.runs, args.refresh_runs)


if __name__ == "__main__":
    main()
