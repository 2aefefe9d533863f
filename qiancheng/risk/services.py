"""Every change of risk's state: signals found, link candidates found and decided. Each function takes the
acting user, runs in one transaction and writes the audit trail. Cases (opened, noted, evidence, decisions
and their measures) are `risk.cases`, which shares this module's refusal and checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qiancheng.accounts.audit import record_event, record_events
from qiancheng.accounts.models import Role
from qiancheng.catalog.models import County
from qiancheng.clock import today
from qiancheng.funding.models import SubsidyClaim
from qiancheng.funding.services.claims import decide as decide_claims
from qiancheng.funding.services.redecision import REDECIDABLE
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.people import links
from qiancheng.people.models import Person
from qiancheng.policy.exchange import ExchangeError
from qiancheng.policy.params import ParameterError
from qiancheng.risk import linkage, signals
from qiancheng.risk.features import person_records
from qiancheng.risk.models import CandidateStatus, LinkCandidate, Signal, TrainedLinkageModel
from qiancheng.risk.parameters import parameter

TEXT_MAX = 4000
TITLE_MAX = 200


class RiskRefused(Exception):
    """A change the rules do not allow; nothing was written. Messages in Chinese and English."""

    def __init__(self, code: str, message_zh: str, message_en: str, *, status: int = 422) -> None:
        super().__init__(f"{code}: {message_zh} / {message_en}")
        self.code, self.message_zh, self.message_en, self.status = code, message_zh, message_en, status


def _text(value: str, code: str, zh: str, en: str, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise RiskRefused(code, zh, en)
    if len(value) > limit:
        raise RiskRefused("too_long", f"内容超过{limit}字", f"longer than {limit} characters")
    return value


def _require_city_official(actor: Any, city_id: str | None) -> None:
    if getattr(actor, "role", None) != Role.CITY_OFFICIAL or city_id is None or actor.city_id != city_id:
        raise RiskRefused("forbidden", "只有记录所在市的人社局可以办理", "only an official of the records' city may act",
                          status=403)


# --- scans -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    rule: str
    found: int
    new: int
    seconds: float


def run_signals(actor: Any, codes: list[str] | None = None,
                progress: Callable[[str], None] | None = None) -> list[ScanResult]:
    """Run the signal rules and store what is new; a re-run over the same data adds nothing."""
    unknown = [code for code in codes or [] if code not in signals.RULES]
    if unknown:
        raise RiskRefused("unknown_rule", f"没有该信号规则：{', '.join(unknown)}", f"no such signal rule: {unknown}")
    results = []
    day = today()
    for code in codes or list(signals.RULES):
        started = time.perf_counter()
        each = signals.RULES[code]
        found = each.find(actor)
        by_print = {signals.fingerprint(code, item): item for item in found}
        with transaction.atomic():
            known = set(Signal.objects.filter(fingerprint__in=list(by_print)).values_list("fingerprint", flat=True))
            now = timezone.now()
            params = each.parameters_in_force(day)
            fresh = [
                Signal(rule=code, clause=each.clause, city_id=item.city_id, fingerprint=print_, summary=item.summary[:300],
                       records=[{"model": model, "pk": pk} for model, pk in item.records], parameters=params,
                       institution_id=item.institution_id, person_id=item.person_id, found_on=day, found_at=now)
                for print_, item in by_print.items() if print_ not in known
            ]
            Signal.objects.bulk_create(fresh)
            created = Signal.objects.filter(fingerprint__in=[row.fingerprint for row in fresh])
            record_events(actor, "risk.signal_found", Signal,
                          [(pk, {"rule": rule, "clause": clause, "city": city})
                           for pk, rule, clause, city in created.values_list("pk", "rule", "clause", "city_id")])
        results.append(ScanResult(code, len(by_print), len(fresh), round(time.perf_counter() - started, 3)))
        if progress:
            progress(code)
    return results


def _city_of_counties() -> dict[str, str]:
    return dict(County.objects.values_list("code", "city_id"))


def run_linkage(actor: Any, engine: str = "duckdb") -> ScanResult:
    """Find likely same-person pairs under different ID numbers; new pairs become pending candidates.
    A pair already found keeps its row and its decision. `engine` is Splink's backend: DuckDB in memory, or
    Spark (risk.spark_backend) for a register one machine cannot hold; the model and the pairs are the same."""
    started = time.perf_counter()
    entry = parameter("link_threshold")
    trained = trained_model_in_force()
    pairs = linkage.find_pairs(person_records(actor), entry.value, engine=engine,
                               trained=_as_probabilities(trained.probabilities) if trained else None)
    counties = _city_of_counties()
    county_of = dict(Person.objects.filter(
        person_key__in={key for pair in pairs for key in (pair.person_a, pair.person_b)}
    ).values_list("person_key", "county_code"))
    version = f"{linkage.model_name(engine)}@{entry.effective_from.isoformat()}"
    if trained is not None:
        version += f"+trained{trained.pk}"
    with transaction.atomic():
        known = set(LinkCandidate.objects.filter(person_a__in={pair.person_a for pair in pairs})
                    .values_list("person_a", "person_b"))
        now = timezone.now()
        fresh = [
            LinkCandidate(person_a_id=pair.person_a, person_b_id=pair.person_b,
                          city_id=counties.get(county_of.get(pair.person_a, "")) or counties.get(
                              county_of.get(pair.person_b, "")),
                          match_probability=pair.match_probability, match_weight=pair.match_weight,
                          driver=pair.driver, comparisons=pair.comparisons, model_version=version, found_at=now)
            for pair in pairs if (pair.person_a, pair.person_b) not in known
        ]
        LinkCandidate.objects.bulk_create(fresh)
        created = LinkCandidate.objects.filter(found_at=now, model_version=version)
        record_events(actor, "risk.link_candidate_found", LinkCandidate,
                      [(pk, {"probability": probability, "driver": driver})
                       for pk, probability, driver in created.values_list("pk", "match_probability", "driver")])
    return ScanResult("linkage", len(pairs), len(fresh), round(time.perf_counter() - started, 3))


def trained_model_in_force() -> TrainedLinkageModel | None:
    """The newest linkage model trained on or before the programme's day; None: linkage uses the priors."""
    return TrainedLinkageModel.objects.filter(trained_on__lte=today()).order_by(
        "-trained_on", "-trained_at", "-pk").first()


def _as_probabilities(stored: dict[str, Any]) -> linkage.Probabilities:
    return {column: (list(pair[0]), list(pair[1])) for column, pair in stored.items()}


def train_linkage(actor: Any, engine: str = "duckdb") -> TrainedLinkageModel:
    """Train the linkage model on the register as it is (linkage.train) and store it, dated, with who trained
    it: from then on linkage applies it. Too few persons to sample pairs from is a refusal, nothing stored."""
    records = person_records(actor)
    if len(records) < 2:
        raise RiskRefused("too_few_persons", "登记人员不足，无法训练", "too few persons in the register to train on")
    training = linkage.train(records, engine=engine)
    with transaction.atomic():
        model = TrainedLinkageModel.objects.create(
            trained_on=today(), trained_at=timezone.now(), trained_by=actor, record_count=len(records),
            engine=engine, model_json=training.model_json,
            probabilities={column: [m, u] for column, (m, u) in training.probabilities.items()})
        record_event(actor, "risk.linkage_model_trained", model,
                     after={"records": len(records), "engine": engine, "trained_on": model.trained_on.isoformat()})
    return model


# --- link candidates ---------------------------------------------------------------------------------


def decide_candidate(actor: Any, candidate: LinkCandidate, confirm: bool, reason: str) -> LinkCandidate:
    """An official of the pair's city confirms (one person) or dismisses (two people) a candidate, with a reason.

    A confirmation links the two persons (people.links.link_persons, dated, with the official and the reason):
    from then on the engine reads both histories as one person's, so the limits of 3.5 count across both ID
    numbers; the two persons' undecided claims are decided again at once (`_decide_again`)."""
    _require_city_official(actor, candidate.city_id)
    reason = _text(reason, "reason_required", "须说明理由", "a reason is required")
    try:
        with transaction.atomic():
            current = LinkCandidate.objects.select_for_update().get(pk=candidate.pk)
            if current.status != CandidateStatus.PENDING:
                raise RiskRefused("already_decided", "该疑似同一人已有结论", "this candidate is already decided",
                                  status=409)
            current.status = CandidateStatus.CONFIRMED if confirm else CandidateStatus.DISMISSED
            current.decided_by, current.decided_at, current.decision_reason = actor, timezone.now(), reason
            if confirm:
                current.link = links.link_persons(actor, current.person_a, current.person_b, reason,
                                                  source=f"risk.linkcandidate:{current.pk}")
            current.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "link"])
            record_event(actor, f"risk.link_candidate_{current.status}", current,
                         before={"status": CandidateStatus.PENDING},
                         after={"status": current.status, "link": current.link_id}, reason=reason)
            if confirm:
                _decide_again(actor, {current.person_a_id, current.person_b_id})
    except ValidationError as refusal:
        raise _conflict(_refused(refusal)) from refusal
    return current


def undo_candidate(actor: Any, candidate: LinkCandidate, reason: str) -> LinkCandidate:
    """An official of the pair's city undoes a confirmed merge by a decision with a reason: the link is undone
    (people.links.undo_link) and the two persons' undecided claims are decided again, each on its own history."""
    _require_city_official(actor, candidate.city_id)
    reason = _text(reason, "reason_required", "撤销合并须说明理由", "undoing a merge needs a reason")
    try:
        with transaction.atomic():
            current = LinkCandidate.objects.select_for_update().get(pk=candidate.pk)
            if current.status != CandidateStatus.CONFIRMED or current.link is None:
                raise RiskRefused("not_confirmed", "只有已确认为同一人的记录可以撤销合并",
                                  "only a confirmed candidate's merge can be undone", status=409)
            # The persons of the cluster as it was, so claims that leave it are decided again too.
            before = set(links.clusters([current.person_a_id]).get(current.person_a_id, ()))
            links.undo_link(actor, current.link, reason)
            current.status = CandidateStatus.UNDONE
            current.decided_by, current.decided_at, current.decision_reason = actor, timezone.now(), reason
            current.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
            record_event(actor, "risk.link_candidate_undone", current, before={"status": CandidateStatus.CONFIRMED},
                         after={"status": current.status, "link": current.link_id}, reason=reason)
            _decide_again(actor, before | {current.person_a_id, current.person_b_id})
    except ValidationError as refusal:
        raise _conflict(_refused(refusal)) from refusal
    return current


def _conflict(refusal: RiskRefused) -> RiskRefused:
    """A pair already linked, or a link already undone, is a conflict with the state, not bad input."""
    if refusal.code in ("already_linked", "already_undone"):
        refusal.status = 409
    return refusal


def _decide_again(actor: Any, person_keys: set[str]) -> None:
    """The undecided claims (draft, pending) of these persons and of everyone linked to them, each decided again by
    the engine against the history as it now is. One at a time, each in a savepoint: a claim the engine cannot
    decide (no standard for its date) keeps its decision and is decided again at approval in any case."""
    keys = links.with_linked(person_keys) or set()
    for pk in SubsidyClaim.objects.filter(person_id__in=keys, status__in=REDECIDABLE).values_list("pk", flat=True):
        try:
            with transaction.atomic():
                decide_claims(actor, SubsidyClaim.objects.filter(pk=pk), None)
        except (ExchangeError, ParameterError):
            continue


def _refused(refusal: Exception) -> RiskRefused:
    """Another app's refusal (funding, sanctions, providers, people) told in risk's terms, code and status kept."""
    if isinstance(refusal, RiskRefused):
        return refusal
    if isinstance(refusal, FundingRefused):
        return RiskRefused(refusal.code, refusal.message_zh, refusal.message_en, status=refusal.status)
    message = refusal.messages[0] if isinstance(refusal, ValidationError) else str(refusal)
    zh, _sep, en = message.partition(" / ")
    code = (refusal.error_list[0].code if isinstance(refusal, ValidationError) else "forbidden") or "invalid"
    return RiskRefused(code, zh, en or zh, status=422 if isinstance(refusal, ValidationError) else 403)
