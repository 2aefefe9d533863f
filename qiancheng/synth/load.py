"""Writing the synthetic province into the database, fast and once.

`ensure_province(people, seed)` is idempotent: when this database already holds the province of that
seed and size it is reused; a different one is refused unless `reset=True` removes it first. The
whole load is one transaction, so a crash leaves nothing half-written.

ID numbers and phones are sealed with `people.crypto` (AES-256-GCM, one nonce per value: that part
cannot be vectorised, and is measured in bench/README.md) and stored only as tokens, masked forms and
`person_key`. Claims carry the decision engine's verdict, computed on the same exchange frames the
batch check reads.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl
from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from qiancheng import clock
from qiancheng.accounts.audit import record_event
from qiancheng.accounts.models import AuditEntry, User
from qiancheng.catalog.models import IndustrialPark
from qiancheng.catalog.services import load_catalog
from qiancheng.people import crypto
from qiancheng.people.masking import mask_id_number, mask_phone
from qiancheng.people.services import ID_NUMBER, PHONE
from qiancheng.synth import deferred_indexes, demand_records, money, records
from qiancheng.synth.exchange import write_exchange
from qiancheng.synth.generator import Province, generate_persons, generate_province
from qiancheng.synth.models import SynthRun, SynthRunStatus
from qiancheng.training.services.enrolment import enrol_frame
from qiancheng.web.tabular import next_id, reset_sequences, write_frame

SYSTEM_USERNAME = "qiancheng-synth"
EARLIEST_AS_OF = dt.date(2025, 3, 31)
LATEST_DEFAULT_AS_OF = dt.date(2027, 10, 31)
SQLITE_CACHE_KIB = 256 * 1024
# Tables with integer keys written by a load, in insertion order (reset deletes them in reverse).
MODELS = (
    "providers.Institution", "providers.Teacher", "demand.Enterprise", "projects.Project",
    "projects.DeliveryApplication", "training.TrainingClass", "training.Enrolment", "evaluation.Evaluation",
    "evaluation.Certificate", "people.SkillUpgradeSubsidy", "sanctions.BlacklistEntry", "funding.FundAccount",
    "funding.SubsidyClaim", "funding.LedgerTransaction", "funding.LedgerEntry", "funding.Payment",
    *demand_records.MODELS,
)


class SynthError(RuntimeError):
    """The database holds another synthetic province, or a row it needs is missing."""


def default_as_of(today: dt.date | None = None) -> dt.date:
    """The programme's today (`qiancheng.clock`, so `QIANCHENG_TODAY` moves it), kept between 2025-03-31 and
    2027-10-31, so the demo looks current on whatever day it is made. The synthetic programme opens no class
    in its last two months, and a province without classes still to start cannot show an advance (3.6):
    made later, the demo shows the province as it stood on 2027-10-31 (`qiancheng synth --as-of` goes on)."""
    return min(max(today or clock.today(), EARLIEST_AS_OF), LATEST_DEFAULT_AS_OF)


def model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def current_run() -> SynthRun | None:
    return SynthRun.objects.order_by("-started_at").first()


def ensure_province(people: int, seed: int, *, reset: bool = False, as_of: dt.date | None = None,
                    progress: bool = True) -> tuple[SynthRun, bool]:
    """The province of (people, seed) in this database: (its run, whether it was written now)."""
    run = current_run()
    if run is not None and reset:
        remove_province(run)
        run = None
    if run is not None:
        if run.status == SynthRunStatus.COMPLETED and run.seed == seed and run.people == people:
            return run, False
        raise SynthError(
            f"数据库中已有另一个合成省份（种子 {run.seed}，{run.people} 人，{run.get_status_display()}）；"
            f"用 --reset 先清除 / this database holds another synthetic province (seed {run.seed}, "
            f"{run.people} people, {run.status}); use --reset to remove it first"
        )
    say = _printer(progress)
    started = time.perf_counter()
    say(f"生成 / generating {people:,} people, seed {seed}")
    province = generate_province(people, seed, as_of or default_as_of())
    return load_province(province, progress=progress, started=started), True


def _printer(progress: bool) -> Callable[[str], None]:
    return (lambda text: tqdm.write(text)) if progress else (lambda text: None)


def system_user() -> User:
    """The account that loads the synthetic province (no password, cannot log in)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, is_active=False, first_name="合成数据 synthetic data")
        user.set_unusable_password()
        user.save()
        record_event(None, "account.created", user, after={"username": SYSTEM_USERNAME, "is_active": False})
    return user


def seal_persons(frame: pl.DataFrame, key_column: str, bar: tqdm | None) -> pl.DataFrame:
    """person_key, sealed ID number and phone (when the frame has one) with their masked forms."""
    numbers = frame["id_number"].to_list()
    columns: dict[str, Iterable[object]] = {
        key_column: frame[key_column],
        "person_key": crypto.person_keys(numbers),
        "id_number_enc": _sealed(numbers, ID_NUMBER, bar),
        "id_number_masked": [mask_id_number(n) for n in numbers],
    }
    if "phone" in frame.columns:
        phones = frame["phone"].to_list()
        columns["phone_enc"] = _sealed(phones, PHONE, bar)
        columns["phone_masked"] = [mask_phone(p) for p in phones]
    return pl.DataFrame(columns)


def _sealed(values: list[str], purpose: str, bar: tqdm | None) -> list[str]:
    out = []
    step = 10_000
    for start in range(0, len(values), step):
        out.extend(crypto.encrypt(value, purpose=purpose) for value in values[start : start + step])
        if bar is not None:
            bar.update(min(step, len(values) - start))
    return out


def decide_claims(province: Province) -> tuple[pl.DataFrame, str, str]:
    """The engine's decision on every claim, exactly as `qiancheng check` on the exchange files gives it."""
    from qiancheng.policy.batch import load_batch, run

    with tempfile.TemporaryDirectory(prefix="qiancheng-synth-") as folder:
        paths = write_exchange(province, Path(folder), jsonl=False)
        batch = load_batch(paths["claims"], paths["history"], paths["params"], None, province.as_of)
        result = run(batch)
    decisions = result.decisions.select(
        "claim_id", pl.col("eligible").cast(pl.Boolean),
        *(pl.col(c).cast(pl.Decimal(14, 2)) for c in ("training_amount", "employment_amount", "total_amount")),
        pl.col("denied_by").fill_null(""),
    )
    return decisions, result.params_id, result.rule_version


def _first_ids() -> records.Ids:
    return records.Ids(**{
        name: next_id(model(label)) for name, label in (
            ("institution", "providers.Institution"), ("teacher", "providers.Teacher"),
            ("enterprise", "demand.Enterprise"), ("project", "projects.Project"),
            ("delivery", "projects.DeliveryApplication"), ("training_class", "training.TrainingClass"),
            ("enrolment", "training.Enrolment"), ("evaluation", "evaluation.Evaluation"),
            ("certificate", "evaluation.Certificate"), ("blacklist", "sanctions.BlacklistEntry"),
            ("claim", "funding.SubsidyClaim"), ("skill_upgrade", "people.SkillUpgradeSubsidy"),
            ("payment", "funding.Payment"),
        )
    })


def _expected_rows(province: Province) -> int:
    frames = province.frames()
    return (
        3 * province.persons.height + 2 * province.teachers.height + sum(f.height for f in frames.values())
        + 2 * province.enrolments.height + province.classes.height
    )


def load_province(province: Province, *, progress: bool = True, started: float | None = None) -> SynthRun:
    """Write `province` into the database in one transaction; return its completed run record."""
    started = started or time.perf_counter()
    say = _printer(progress)
    load_catalog()
    say("判定申请 / deciding claims with the engine")
    decisions, params_id, rule_version = decide_claims(province)
    bar = tqdm(total=_expected_rows(province), unit="rows", desc="写入 / writing", disable=not progress,
               unit_scale=True, mininterval=0.5)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A larger page cache for this connection: index inserts at random keys stay in memory.
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        with transaction.atomic():
            actor = system_user()
            run = SynthRun.objects.create(seed=province.seed, people=province.people, as_of=province.as_of)
            counts, written = _write_all(province, decisions, params_id, rule_version, actor, bar)
            run.status = SynthRunStatus.COMPLETED
            run.counts, run.written = counts, written
            run.seconds = round(time.perf_counter() - started, 1)
            run.finished_at = timezone.now()
            run.save()
            record_event(actor, "synth.loaded", run, after={
                "seed": run.seed, "people": run.people, "as_of": run.as_of, "counts": counts,
            })
    finally:
        bar.total = bar.n  # the estimate served the rate display; end the bar at 100%
        bar.close()
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # Fold the write-ahead log into the database file now, not at some reader's expense later.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    say(f"完成 / done in {run.seconds:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return run


def _write(label: str, frame: pl.DataFrame, bar: tqdm, counts: dict[str, int], written: dict[str, list[int]],
           ranged: bool = True) -> None:
    bar.set_description(f"写入 / writing {label}")
    counts[label] = write_frame(model(label), frame, bar.update)
    if ranged and frame.height:
        written[label] = [int(frame["id"].min()), int(frame["id"].max())]


def _write_all(province: Province, decisions: pl.DataFrame, params_id: str, rule_version: str, actor: User,
               bar: tqdm) -> tuple[dict[str, int], dict[str, list[int]]]:
    ids = _first_ids()
    counts: dict[str, int] = {}
    written: dict[str, list[int]] = {}
    # Tables this load fills from empty get their secondary indexes (and PostgreSQL's foreign keys) built once
    # after their rows; the audit trail's keys are checked once too (synth.deferred_indexes). The demand side reads
    # back what it needs by primary key.
    deferred = deferred_indexes.defer(*(model(label) for label in MODELS), model("people.Person"),
                                      model("training.TrainingClass").teachers.through, keys_of=(AuditEntry,))

    bar.set_description("加密 / sealing personal data")
    sealed = seal_persons(province.persons.select("person_no", "id_number", "phone"), "person_no", bar)
    keys = sealed.select("person_no", "person_key")
    masked = sealed.select("person_key", "id_number_masked")
    # In key order, so the primary-key B-tree grows at its end instead of splitting pages at random.
    _write("people.Person", records.persons(province, sealed).sort("person_key"), bar, counts, written, ranged=False)
    del sealed
    sealed_teachers = seal_persons(province.teachers.select("teacher_no", "id_number"), "teacher_no", bar)

    _write("providers.Institution", records.institutions(province, ids), bar, counts, written)
    _write("providers.Teacher", records.teachers(province, ids, sealed_teachers), bar, counts, written)
    park_ids = dict(IndustrialPark.objects.values_list("code", "id"))
    _write("demand.Enterprise", records.enterprises(province, ids, park_ids), bar, counts, written)
    _write("projects.Project", records.projects(province, ids), bar, counts, written)
    _write("projects.DeliveryApplication", records.delivery_applications(province, ids), bar, counts, written)
    _write("training.TrainingClass", records.training_classes(province, ids), bar, counts, written)
    through = model("training.TrainingClass").teachers.through
    columns = (through._meta.get_field("trainingclass").column, through._meta.get_field("teacher").column)
    bar.set_description("写入 / writing class teachers")
    write_frame(through, records.class_teachers(province, ids, columns), bar.update)

    # Through the one writer of enrolments (training.services.enrolment), which audits every row.
    bar.set_description("写入 / writing training.Enrolment")
    enrolments = records.enrolments(province, ids, keys).join(masked, on="person_key", how="left", maintain_order="left")
    counts["training.Enrolment"] = enrol_frame(actor, enrolments)
    bar.update(enrolments.height)
    if enrolments.height:
        written["training.Enrolment"] = [int(enrolments["id"].min()), int(enrolments["id"].max())]
    del masked, enrolments
    evaluations = records.evaluations(province, ids, keys)
    _write("evaluation.Evaluation", evaluations.drop("enrolment_no"), bar, counts, written)
    evaluation_ids = evaluations.select("enrolment_no", "id")
    _write("evaluation.Certificate", records.certificates(province, ids, keys, evaluation_ids), bar, counts, written)
    _write("people.SkillUpgradeSubsidy", records.skill_upgrades(province, ids, keys), bar, counts, written)
    _write("sanctions.BlacklistEntry", records.blacklist(province, ids, keys, actor.pk), bar, counts, written)

    claims = records.system_claims(province, ids, keys, decisions, params_id, rule_version)
    ledger = _ledger(province, claims, actor)
    _write("funding.FundAccount", ledger.accounts, bar, counts, written)
    claims = claims.join(ledger.claim_accounts, on="id", how="left")
    imported = records.imported_claims(province, ids.claim + claims.height, keys)
    # Written apart: columns an imported claim lacks take the model's defaults, not NULL.
    _write("funding.SubsidyClaim", claims.drop("person_no", "paid_on"), bar, counts, written)
    system_count = counts["funding.SubsidyClaim"]
    _write("funding.SubsidyClaim", imported, bar, counts, written)
    counts["funding.SubsidyClaim"] += system_count
    written["funding.SubsidyClaim"] = [ids.claim, ids.claim + counts["funding.SubsidyClaim"] - 1]
    paid = claims.filter(pl.col("status") == "paid").select("id", "number", "person_key", "total_amount", "paid_on",
                                                             "city_id")
    _write("funding.LedgerTransaction", ledger.transactions, bar, counts, written)
    _write("funding.LedgerEntry", ledger.entries, bar, counts, written)
    payments = records.payments(paid, ids.payment, province.seed, actor.pk).join(
        ledger.payment_transactions, on="claim_id", how="left")
    _write("funding.Payment", payments, bar, counts, written)
    # The demand side reads back what was just written (classes, enrolments, enterprises): with the planner's
    # statistics of the empty tables it joined 1.2 M enrolments to their classes by a bitmap per class.
    analyze(*(model(label) for label in MODELS), model("people.Person"))
    demand_records.grow_demand(province.seed, province.as_of, actor, written,
                               lambda label, frame: _write(label, frame, bar, counts, written))
    analyze(*(model(label) for label in demand_records.MODELS))
    deferred.restore()
    reset_sequences(*(model(label) for label in MODELS))
    return counts, written


def analyze(*models_: type[models.Model]) -> None:
    """PostgreSQL: fresh planner statistics for tables a load has just filled, inside its transaction (ANALYZE
    counts the rows the own transaction inserted). Autovacuum would analyze them only after the commit, too late
    for the load's own queries and for the first requests after it."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(quote(m._meta.db_table) for m in models_)}")


def _ledger(province: Province, claims: pl.DataFrame, actor: User) -> money.Ledger:
    """Fund accounts and postings for the claims; refused when the database already has accounts for
    the programme's years (their balances are officials' records, not the generator's)."""
    if model("funding.FundAccount")._default_manager.filter(year__in=money.YEARS).exists():
        raise SynthError(
            "数据库中已有 2025-2027 年的资金账户，合成数据不能与之混用 / the database already holds fund accounts "
            "for 2025-2027; the synthetic province cannot be mixed with them"
        )
    parks = list(IndustrialPark.objects.values_list("id", "city_id").order_by("id"))
    first = {"fund_account": next_id(model("funding.FundAccount")),
             "transaction": next_id(model("funding.LedgerTransaction")),
             "entry": next_id(model("funding.LedgerEntry"))}
    written = claims.select("id", "number", "fund", "city_id", "end_date", "status", "total_amount", "reviewed_at",
                            "paid_on")
    return money.build_ledger(written, parks, province.seed, actor.pk, first)


def remove_province(run: SynthRun) -> None:
    """Delete exactly the rows `run` wrote (by id range; persons by their regenerated keys), then the run."""
    with transaction.atomic():
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            through = model("training.TrainingClass").teachers.through
            demand_records.remove_links(run.written)
            classes = run.written.get("training.TrainingClass")
            if classes:
                column = through._meta.get_field("trainingclass").column
                cursor.execute(f"DELETE FROM {quote(through._meta.db_table)} WHERE {quote(column)} BETWEEN %s AND %s",
                               classes)
            for label in reversed(MODELS):
                if label in run.written:
                    table = model(label)._meta.db_table
                    cursor.execute(f"DELETE FROM {quote(table)} WHERE id BETWEEN %s AND %s", run.written[label])
        if run.counts.get("people.Person"):
            keys = crypto.person_keys(generate_persons(run.people, run.seed)["id_number"].to_list())
            table = quote(model("people.Person")._meta.db_table)
            with connection.cursor() as cursor:
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    cursor.execute(f"DELETE FROM {table} WHERE person_key IN ({', '.join(['%s'] * len(chunk))})",
                                   chunk)
        record_event(system_user(), "synth.removed", run, before={"seed": run.seed, "people": run.people})
        run.delete()
