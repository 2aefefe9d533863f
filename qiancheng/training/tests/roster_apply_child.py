"""A separate process for the kill -9 test: prepares a validated roster, applies it, or counts.

Run as `python -m qiancheng.training.tests.roster_apply_child MODE` with the database chosen by the
environment (QIANCHENG_DATA_DIR for SQLite, DATABASE_URL for PostgreSQL). Modes:
  setup           migrate, build a class and a validated roster of ROWS rows; print the job id
  apply-and-hang  apply, but stop between inserting persons and enrolments (print MIDWAY, sleep)
  apply           apply to the end
  count           print {"persons", "enrolments", "status"} as JSON
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date

ROWS = 3_000


def _setup() -> None:
    from django.core.management import call_command

    from qiancheng.accounts.models import Role, User
    from qiancheng.people.identity import id_number_check_character
    from qiancheng.training.models import ClassStatus
    from qiancheng.training.services.roster_import import receive_roster
    from qiancheng.training.tests import builders
    from qiancheng.training.tests.rosters import roster_xlsx
    from qiancheng.web.task_queue import run_worker

    call_command("migrate", verbosity=0)
    institution = builders.institution()
    user = User.objects.create(username="kill-school", role=Role.INSTITUTION, institution=institution)
    User.objects.create(username="kill-official", role=Role.CITY_OFFICIAL, city=institution.city)
    training = builders.training_class(institution=institution, status=ClassStatus.APPROVED,
                                       start_date=date(2026, 5, 4), end_date=date(2026, 5, 29))
    numbers = [f"4501021985{serial // 1000 % 12 + 1:02d}{serial // 100 % 28 + 1:02d}{serial % 100:02d}1"
               for serial in range(ROWS)]
    rows = [(f"学员{n}", first17 + id_number_check_character(first17), None, "其他", None)
            for n, first17 in enumerate(numbers)]
    job = receive_roster(user, training, "名册.xlsx", roster_xlsx(rows))
    # The child runs the product's own configuration: the check waits in the queue for a worker (ADR 0005).
    run_worker(batch=True)
    job.refresh_from_db()
    print(job.pk, job.good_count, flush=True)


def _apply(job_id: int, hang: bool) -> None:
    from qiancheng.accounts.models import User
    from qiancheng.training.models import ImportJob
    from qiancheng.training.services import roster_import
    from qiancheng.training.services.roster_import import apply_roster

    if hang:
        def midway(*args: object, **kwargs: object) -> int:
            print("MIDWAY", flush=True)  # persons are inserted, the transaction is still open
            time.sleep(600)
            return 0

        roster_import.enrol_many = midway  # type: ignore[assignment]
    job = apply_roster(User.objects.get(username="kill-official"), ImportJob.objects.get(pk=job_id))
    print(job.status, job.applied_count, flush=True)


def _count(job_id: int) -> None:
    from qiancheng.people.models import Person
    from qiancheng.training.models import Enrolment, ImportJob

    job = ImportJob.objects.get(pk=job_id)
    print(json.dumps({"persons": Person.objects.filter(name__startswith="学员").count(),
                      "enrolments": Enrolment.objects.filter(training_class=job.training_class).count(),
                      "status": job.status}), flush=True)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")
    import django

    django.setup()
    from qiancheng.clock import set_today
    from qiancheng.training.tests.conftest import ROSTER_OPEN_ON

    set_today(ROSTER_OPEN_ON)  # the roster is open whatever day the test runs (it closes after the last day)
    mode = sys.argv[1]
    if mode == "setup":
        _setup()
    elif mode in ("apply", "apply-and-hang"):
        _apply(int(sys.argv[2]), hang=mode == "apply-and-hang")
    else:
        _count(int(sys.argv[2]))


if __name__ == "__main__":
    main()
