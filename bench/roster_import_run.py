"""Benchmark: a 100,000-row roster through the import job, validate then apply, on a fresh database.

    python bench/roster_import_run.py --rows 100000 --workdir /tmp/qiancheng-roster-bench [--synth-people 100000]

A fresh data folder (SQLite; or the database DATABASE_URL names, which must be empty) is migrated; an
approved 南宁 institution, a class and two accounts are created; a roster .xlsx of N rows is written
with XlsxWriter (1 row in 100 bad: a wrong check character, and 1 in 200 a duplicate of the row above).
Then `receive_roster` (upload checks, reading, every row's checks including the decision engine's
prediction against the stored history, sealing) and `apply_roster` (one transaction) are timed.
With --synth-people the synthetic province is loaded first, so the history read is not of an empty
database. Results print as a Markdown row for bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path


def roster_bytes(rows: int) -> bytes:
    import xlsxwriter

    from qiancheng.people.identity import id_number_check_character
    from qiancheng.training.services.roster_file import HEADERS

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("名册")
    for column, header in enumerate(HEADERS):
        sheet.write_string(0, column, header)
    categories = ("高校毕业生等青年", "农村转移劳动力", "登记失业人员", "就业困难人员", "其他")
    previous = ""
    for serial in range(rows):
        first17 = f"4501{serial // 100_000 % 90 + 2:02d}19{serial // 10_000 % 10 + 80}{serial // 1000 % 10 + 1:02d}" \
                  f"{serial // 100 % 10 + 10:02d}{serial % 100:03d}"
        number = first17 + id_number_check_character(first17)
        if serial % 100 == 99:  # a wrong check character
            number = first17 + ("1" if number[-1] != "1" else "2")
        if serial % 200 == 150:  # a duplicate of the row above
            number = previous
        previous = number
        sheet.write_string(serial + 1, 0, f"学员{serial}")
        sheet.write_string(serial + 1, 1, number)
        if serial % 2:
            sheet.write_string(serial + 1, 2, f"139{serial:08d}")
        sheet.write_string(serial + 1, 3, categories[serial % len(categories)])
    book.close()
    return buffer.getvalue()


def world() -> tuple[object, object, object]:
    from qiancheng.accounts.models import Role, User
    from qiancheng.catalog.models import City, Occupation
    from qiancheng.clock import today
    from qiancheng.providers.models import Institution, InstitutionKind, InstitutionStatus
    from qiancheng.training.models import ClassStatus, TrainingClass

    city = City.objects.get_or_create(code="450100", defaults={"name": "南宁市"})[0]
    occupation = Occupation.objects.filter(levels__contains="4").first() or Occupation.objects.get_or_create(
        code="4-04-05-05", defaults={"name": "人工智能训练师", "major_code": "4", "major_name": "m",
                                     "middle_code": "4-04", "middle_name": "m", "minor_code": "4-04-05",
                                     "minor_name": "m"})[0]
    institution = Institution.objects.create(
        name="基准测试培训学校", uscc="91450100MA5K12340N", kind=InstitutionKind.PRIVATE_SCHOOL, city=city,
        status=InstitutionStatus.APPROVED, approved_until=date(2030, 12, 31))
    school = User.objects.create(username="bench-school", role=Role.INSTITUTION, institution=institution)
    official = User.objects.create(username="bench-official", role=Role.CITY_OFFICIAL, city=city)
    training = TrainingClass.objects.create(
        name="基准班", institution=institution, city=city, training_type="occupational", occupation=occupation,
        # A class that takes trainees on the programme's day, whatever day the benchmark runs.
        level=4, start_date=today() - timedelta(days=3), end_date=today() + timedelta(days=25), class_hours=120,
        status=ClassStatus.APPROVED)
    return school, official, training


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/qiancheng-roster-bench"))
    parser.add_argument("--synth-people", type=int, default=0)
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.environ["QIANCHENG_DATA_DIR"] = str(args.workdir)
    qiancheng = [sys.executable, "-m", "qiancheng"]
    subprocess.run([*qiancheng, "migrate", "-v0"], check=True)
    if args.synth_people:
        subprocess.run([*qiancheng, "synth", "--people", str(args.synth_people), "--seed", "7", "--no-progress"],
                       check=True, stdout=subprocess.DEVNULL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    import django

    django.setup()
    from qiancheng.training.models import Enrolment
    from qiancheng.training.services.roster_import import apply_roster, receive_roster
    from qiancheng.web.task_queue import run_worker

    school, official, training = world()
    started = time.perf_counter()
    data = roster_bytes(args.rows)
    written = time.perf_counter() - started
    # Wall time, and this process's CPU time beside it: on the shared machine the wall time mostly measures
    # the other engineers' load, the CPU time what the work itself costs.
    started, cpu = time.perf_counter(), time.process_time()
    load_validate = os.getloadavg()[0]
    job = receive_roster(school, training, "名册.xlsx", data)
    queued = time.perf_counter() - started  # what the uploader waits for (ADR 0005)
    run_worker(batch=True)  # the check, as the worker beside the site runs it
    job.refresh_from_db()
    validated, validated_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    load_apply = os.getloadavg()[0]
    job = apply_roster(official, job)
    applied, applied_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert Enrolment.objects.filter(training_class=training).count() == job.good_count == job.applied_count
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| rows | good | bad | file MB | write s | upload answered s | validate s (CPU s) | apply s (CPU s) "
          "| validate + apply s | peak MiB | synth people | load at validate / apply / end |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {job.row_count:,} | {job.good_count:,} | {job.bad_count:,} | {len(data) / 2**20:.1f} | {written:.1f} "
          f"| {queued:.2f} | {validated:.1f} ({validated_cpu:.1f}) | {applied:.1f} ({applied_cpu:.1f}) "
          f"| {validated + applied:.1f} | {peak:.0f} | {args.synth_people:,} "
          f"| {load_validate:.1f} / {load_apply:.1f} / {os.getloadavg()[0]:.1f} |")


if __name__ == "__main__":
    main()
