"""Deciding one stored claim, as filing and approval do, claim after claim: per-claim latency and its profile.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h5_synth QIANCHENG_DATA_DIR=/tmp/h5/synth/people-100000 \\
        python bench/online_decide_run.py --claims 200 [--profile]

On a loaded province (bench/synth_run.py) it takes `--claims` pending claims (each of a person with one
claim only, so that the batch has no second claim of the person) and decides each alone through
`funding.services.claims.decide`, the call `file_claim` and `approve_claim` make (the stored claim and
its history read, ID numbers opened, the engine, the decision written, the audit entries), each inside a
transaction that is rolled back, so the database is left as it was. Prints the median, p95 and p99
milliseconds per claim, the history rows the claims had, and with `--profile` cProfile's top functions.

To compare with an earlier commit, run the same script from a copy of that commit
(`git archive <commit> | tar -x -C /tmp/base`, then `cd /tmp/base && python bench/online_decide_run.py`):
it imports the qiancheng beside it.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiancheng.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from qiancheng.accounts.models import Role, User  # noqa: E402
from qiancheng.funding.models import ClaimStatus, SubsidyClaim  # noqa: E402
from qiancheng.funding.services import claims as claim_services  # noqa: E402
from qiancheng.funding.services.decision_store import stored_history_records  # noqa: E402


class _RolledBack(Exception):
    pass


def decide_alone(actor: User, number: str, as_of: dt.date | None) -> float:
    """Seconds to decide this one claim as filing does; the transaction is rolled back."""
    started = 0.0
    try:
        with transaction.atomic():
            started = time.perf_counter()
            claim_services.decide(actor, SubsidyClaim.objects.filter(number=number), as_of)
            elapsed = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--warm", type=int, default=5, help="claims decided first and not timed")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    single = (SubsidyClaim.objects.values("person_id").annotate(n=Count("pk")).filter(n=1)
              .values_list("person_id", flat=True))
    numbers = list(SubsidyClaim.objects.filter(status=ClaimStatus.PENDING, person_id__in=single)
                   .order_by("pk").values_list("number", flat=True)[: args.claims + args.warm])
    if len(numbers) < args.claims + args.warm:
        sys.exit(f"only {len(numbers)} pending claims of persons with one claim")
    actor = User.objects.filter(role=Role.PROVINCE_OFFICIAL).order_by("pk").first()
    persons = set(SubsidyClaim.objects.filter(number__in=numbers).values_list("person_id", flat=True))
    history = len(stored_history_records(persons, set()))
    for number in numbers[: args.warm]:
        decide_alone(actor, number, None)
    load = os.getloadavg()[0]
    profile = cProfile.Profile() if args.profile else None
    if profile:
        profile.enable()
    times = [decide_alone(actor, number, None) * 1000 for number in numbers[args.warm:]]
    if profile:
        profile.disable()
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    p99 = times[int(0.99 * (len(times) - 1))]
    print(f"{len(times)} claims decided one by one ({history} history rows among their persons): "
          f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
          f"mean {statistics.fmean(times):.1f} ms; load average {load:.1f}-{os.getloadavg()[0]:.1f}")
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())


if __name__ == "__main__":
    main()
