"""Prepare a loaded province for the online load test (bench/load/README.md): the clients and their work.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_synth QIANCHENG_DATA_DIR=/tmp/load \\
        python bench/load/prepare.py --institutions 64 --per-institution 120 --out /tmp/load/clients.json

On a province written by `qiancheng synth` it picks the approved institutions with the most finished,
still unclaimed enrolments, and for each one login (role institution) with a bearer token; for every city
among them two city officials with a confirmed authenticator and a token issued against it (as
`POST /api/v1/auth/token` with the code would issue it). The synthetic province stores no attendance (the
engine's history needs none), and a claim cannot be filed without it (6c, 凡补必进): for the chosen
classes, which are finished, so that `record_attendance` no longer accepts a session, each trainee who completed
attends the whole course (its hours over consecutive days from the first), written straight into the table. Then the
funding service's own `class_claim_candidates` says which enrolments can be claimed, and
`fund_account_for` which fund account pays each; only those go into the file.

The JSON file lists, per institution, its token, its USCC (the party that advanced the cost and claims)
and its claimable enrolments with their fund source; per city, the officials' tokens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
from decimal import ROUND_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")

import django

django.setup()

import polars as pl  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Exists, OuterRef  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from qiancheng.accounts.models import Role, User  # noqa: E402
from qiancheng.accounts.second_factor import TOTP_DEVICE_NAME, confirmed_totp  # noqa: E402
from qiancheng.accounts.services import create_account, issue_api_token  # noqa: E402
from qiancheng.catalog.models import City  # noqa: E402
from qiancheng.funding.models import COUNTING_STATUSES, SubsidyClaim  # noqa: E402
from qiancheng.funding.models.funds import CLAIM_FUNDS  # noqa: E402
from qiancheng.funding.services.claims import fund_account_for  # noqa: E402
from qiancheng.funding.services.class_claims import class_claim_candidates  # noqa: E402
from qiancheng.funding.services.refusal import FundingRefused  # noqa: E402
from qiancheng.providers.models import Institution  # noqa: E402
from qiancheng.training.models import AttendanceRecord, ClassStatus, Enrolment, EnrolmentStatus, TrainingClass  # noqa: E402
from qiancheng.web.tabular import write_frame  # noqa: E402

OFFICIALS_PER_CITY = 2


def _user(username: str, role: str, **links: object) -> User:
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    password = secrets.token_urlsafe(18)  # never used: the load test authenticates with tokens
    return create_account(None, username, password, role, **links)


def _official_token(user: User) -> str:
    device = confirmed_totp(user)
    if device is None:
        with transaction.atomic():
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    raw, _ = issue_api_token(user, second_factor=device)
    return raw


def _open_classes(institutions: int, per_institution: int) -> dict[int, list[TrainingClass]]:
    """Per institution (the busiest first), finished classes with unclaimed enrolments, enough for the work."""
    counting = SubsidyClaim.objects.filter(enrolment=OuterRef("pk"), status__in=COUNTING_STATUSES)
    unclaimed = (Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED, training_class__status=ClassStatus.FINISHED,
                                          training_class__institution__status="approved")
                 .exclude(Exists(counting)))
    by_class = (unclaimed.values("training_class_id", "training_class__institution_id")
                .annotate(n=Count("pk")).order_by("-n"))
    totals: dict[int, int] = {}
    classes: dict[int, list[int]] = {}
    for row in by_class:
        institution = row["training_class__institution_id"]
        if totals.get(institution, 0) >= 2 * per_institution:
            continue
        totals[institution] = totals.get(institution, 0) + row["n"]
        classes.setdefault(institution, []).append(row["training_class_id"])
    busiest = sorted(totals, key=lambda pk: -totals[pk])[:institutions]
    loaded = TrainingClass.objects.in_bulk([pk for pk in (c for i in busiest for c in classes[i])])
    return {institution: [loaded[pk] for pk in classes[institution]] for institution in busiest}


def _attendance(classes: list[TrainingClass]) -> int:
    """Every trainee who completed the class and has no attendance attended the whole course: the class's hours spread over
    consecutive session days from its first day (eight hours a day, more when the class is shorter in days)."""
    rows = (Enrolment.objects.filter(training_class__in=classes, status=EnrolmentStatus.COMPLETED)
            .exclude(Exists(AttendanceRecord.objects.filter(enrolment=OuterRef("pk"))))
            .values_list("pk", "person_id", "training_class__start_date", "training_class__end_date",
                         "training_class__class_hours"))
    out = []
    for pk, person, start, end, hours in rows:
        days = (end - start).days + 1
        sessions = max(1, min(days, -(-hours // 8)))
        per_day = (Decimal(hours) / sessions).quantize(Decimal("0.1"), rounding=ROUND_UP)
        if per_day > 24:
            continue  # a course no real timetable holds; its trainees stay unclaimable
        out.extend((pk, person, start + dt.timedelta(days=n), per_day) for n in range(sessions))
    frame = pl.DataFrame(out, schema={"enrolment_id": pl.Int64, "person_key": pl.String, "session_date": pl.Date,
                                      "hours": pl.Decimal(4, 1)}, orient="row")
    with transaction.atomic():
        written = write_frame(AttendanceRecord, frame.with_columns(pl.lit(True).alias("present")))
    if connection.vendor == "postgresql":
        # Half a million rows at once and no statistics yet: until autovacuum gets to the table, the planner
        # plans a class's attendance (read by 6c on every filing) for an empty table (bench/README.md, 2026-12-07).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {AttendanceRecord._meta.db_table}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--institutions", type=int, default=64)
    parser.add_argument("--per-institution", type=int, default=120, help="claimable enrolments kept per institution")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    chosen = _open_classes(args.institutions, args.per_institution)
    every_class = [c for classes in chosen.values() for c in classes]
    print(f"{len(chosen)} institutions, {len(every_class)} classes", flush=True)
    print(f"attendance records written: {_attendance(every_class):,}", flush=True)

    province = _user("load-province", Role.PROVINCE_OFFICIAL)
    institutions_out, cities = [], set()
    for institution_pk, classes in chosen.items():
        institution = Institution.objects.get(pk=institution_pk)
        enrolments = []
        for training in classes:
            for candidate in class_claim_candidates(province, training):
                if not candidate.claimable:
                    continue
                for source in CLAIM_FUNDS:
                    try:
                        fund_account_for(candidate.enrolment, source)
                    except FundingRefused:
                        continue
                    enrolments.append({"id": candidate.enrolment.pk, "fund": str(source)})
                    break
            if len(enrolments) >= args.per_institution:
                break
        if not enrolments:
            continue
        user = _user(f"load-inst-{institution.pk}", Role.INSTITUTION, institution=institution)
        raw, _ = issue_api_token(user)
        cities.add(institution.city_id)
        institutions_out.append({"institution": institution.pk, "city": institution.city_id, "uscc": institution.uscc,
                                 "token": raw, "enrolments": enrolments[: args.per_institution]})
        print(f"  {institution.pk} {institution.city_id}: {len(enrolments)} claimable", flush=True)
    officials = {}
    for city in sorted(cities):
        officials[city] = [_official_token(_user(f"load-city-{city}-{n}", Role.CITY_OFFICIAL,
                                                 city=City.objects.get(pk=city)))
                           for n in range(1, OFFICIALS_PER_CITY + 1)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"institutions": institutions_out, "officials": officials}))
    os.chmod(args.out, 0o600)  # bearer tokens
    total = sum(len(i["enrolments"]) for i in institutions_out)
    print(f"{len(institutions_out)} institution clients, {total:,} claimable enrolments, "
          f"{sum(len(t) for t in officials.values())} officials in {len(officials)} cities -> {args.out}")


if __name__ == "__main__":
    main()
