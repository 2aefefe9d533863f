"""Benchmark: the statistics page and the province home at the province's size (issue 11 item 7), on PostgreSQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<empty db> QIANCHENG_DATA_DIR=… \
        python bench/statistics_run.py --people 10000 --copies 245 --runs 20

1. `qiancheng migrate` and `qiancheng synth --people N` (the synthetic province through its own write path).
2. The province made `copies` times larger inside PostgreSQL, by INSERT … SELECT (no row leaves the server): every
   person, enrolment and claim copied with a new key per copy (person key sha256(key:copy), ids offset by
   copy × 100,000, claim numbers suffixed), so 12,277 enrolments × 245 ≈ 3.0 M. Classes, institutions, cities and
   funds stay the province's; a copy's claims are its original's (year, month, city, type, fund, status, amount).
   The synthetic classes state no industry of "1+19", so each class is given one (by its id), else the industry
   filter and table would read nothing.
3. Timed, `runs` times each, as the province official (Django's test client, the full request): the statistics
   page `/insight/statistics/?year=Y`, the API `GET /api/v1/insight/statistics?year=Y` (a token), the province home
   `/`; and one hand-written SQL aggregate over the same data (the city table: trainings, key group, distinct
   people, amount). Median and p95 in ms, as Markdown for bench/README.md.
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
CREATE TEMP TABLE claim_copy AS
SELECT s.*, c.k FROM funding_subsidyclaim s CROSS JOIN copies c WHERE s.id < 100000;
UPDATE claim_copy SET id = id + k * 100000, number = number || '-x' || k,
       enrolment_id = enrolment_id + k * 100000,
       person_key = encode(sha256(convert_to(person_key || ':' || k, 'UTF8')), 'hex');
ALTER TABLE claim_copy DROP COLUMN k;
INSERT INTO funding_subsidyclaim SELECT * FROM claim_copy;
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
        cursor.execute(LOAD_SQL % {"copies": copies})
        cursor.execute("ANALYZE")
    print(f"synth {synth:.0f} s, copies {time.perf_counter() - started:.0f} s")


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


def measure(year: int, runs: int) -> None:
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

    print(f"enrolments {Enrolment.objects.count():,}, claims {SubsidyClaim.objects.count():,}, "
          f"load avg {os.getloadavg()[0]:.1f}")
    print("| what | median ms | p95 ms |")
    print("|---|---:|---:|")
    for name, call in ((f"statistics page /insight/statistics/?year={year}",
                        lambda: get(f"/insight/statistics/?year={year}")),
                       (f"statistics API /api/v1/insight/statistics?year={year}",
                        lambda: get(f"/api/v1/insight/statistics?year={year}")),
                       ("province home /", lambda: get("/")),
                       ("hand-written SQL (city table)", hand)):
        median, p95 = timed(call, runs)
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
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("DATABASE_URL must name an empty PostgreSQL database")
    if not args.skip_load:
        load(args.people, args.seed, args.copies)
    measure(args.year, args.runs)


if __name__ == "__main__":
    main()
