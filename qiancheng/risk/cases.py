"""Every change of a risk case (6d): opened, noted, evidence added, decided with measures, a listing lifted.

Each function takes the acting user, runs in one transaction and writes the audit trail. A case belongs to
the city of its records and is worked by an official of that city (the province reads). A decision carries
its reason and document number and one or more measures; each measure calls its owner's service, inside
the decision's transaction, so a refused measure leaves nothing written:

| measure | owner's service |
|---|---|
| 追回资金 recovery | `funding.services.recovery.open_recovery` (receivable in the ledger, claim `recovered`) |
| 暂停机构资质 suspension | `providers.services.suspend_institution` (the institution's own state: it opens no class) |
| 机构/个人列入黑名单 listing | `sanctions.services.list_institution` / `list_person`, from a day, optionally to a day |
| 移送司法机关 referral | recorded here: the referral letter's number and date, and the authority |
| 公开通报 public notice | recorded here; the public page `/risk/notices/` lists it (no trainee's personal data) |
| 解除黑名单 lifting | `sanctions.services.lift_listing`, by a later decision on the case that listed |

Suspension is providers' state (InstitutionStatus.SUSPENDED, reinstated by `reinstate_institution`), not a
register entry: the engine's 6d reads the register only, so a suspension bars new classes but does not deny
claims for training already delivered; a listing does both (docs/risk.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from qiancheng.accounts.audit import record_event
from qiancheng.accounts.scope import scoped
from qiancheng.clock import today
from qiancheng.funding.models import RecoveryReason, SubsidyClaim
from qiancheng.funding.services.recovery import open_recovery
from qiancheng.funding.services.refusal import FundingRefused
from qiancheng.people.models import Person
from qiancheng.providers import services as providers
from qiancheng.providers.models import Institution
from qiancheng.risk.models import (
    EVIDENCE_MAX_BYTES,
    Case,
    CaseDecision,
    CaseEvidence,
    CaseMeasure,
    CaseNote,
    CaseStatus,
    LinkCandidate,
    MeasureKind,
    Signal,
    SignalStatus,
)
from qiancheng.risk.services import TITLE_MAX, RiskRefused, _refused, _require_city_official, _text
from qiancheng.sanctions import services as sanctions
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.web.tabular import sniffed_content_type

REF_MAX = 128
DESCRIPTION_MAX = 300
NOT_FOUND = ("not_found", "未找到该记录", "No such record")


@dataclass(frozen=True)
class Measure:
    """One measure asked of a decision; which fields count depends on the kind."""

    kind: str
    institution: Institution | None = None
    person: Person | None = None
    claim: SubsidyClaim | None = None  # recovery: the paid claim
    listed_from: dt.date | None = None  # listing: first day (today when empty); never before today
    listed_until: dt.date | None = None  # listing: last day, empty = until lifted
    referral_document_ref: str = ""  # 移送书文号
    referral_date: dt.date | None = None
    referred_to: str = ""  # 受理机关, e.g. 南宁市公安局


# --- opening and notes ------------------------------------------------------------------------------


def open_case(actor: Any, title: str, signal_ids: Iterable[int] = (), candidate_ids: Iterable[int] = ()) -> Case:
    """Open a case on open signals and undecided-or-confirmed candidates, all of one city: the actor's."""
    title = _text(title, "title_required", "须填写案件名称", "a case needs a title", TITLE_MAX)
    signal_ids, candidate_ids = sorted(set(signal_ids)), sorted(set(candidate_ids))
    if not signal_ids and not candidate_ids:
        raise RiskRefused("nothing_to_open", "须选择至少一条信号或疑似同一人", "choose at least one signal or candidate")
    with transaction.atomic():
        found_signals = list(scoped(Signal, actor).select_for_update().filter(pk__in=signal_ids))
        found_candidates = list(scoped(LinkCandidate, actor).select_for_update().filter(pk__in=candidate_ids))
        if len(found_signals) != len(signal_ids) or len(found_candidates) != len(candidate_ids):
            raise RiskRefused(*NOT_FOUND, status=404)
        cities = {row.city_id for row in [*found_signals, *found_candidates]}
        if len(cities) != 1:
            raise RiskRefused("cities_differ", "一个案件的记录须属于同一个市", "a case's records must be of one city")
        (city_id,) = cities
        _require_city_official(actor, city_id)
        if any(row.status != SignalStatus.OPEN for row in found_signals) or any(
                row.case_id is not None for row in found_candidates):
            raise RiskRefused("already_in_case", "所选记录已在案件中", "a chosen record is already in a case", status=409)
        case = Case.objects.create(city_id=city_id, title=title, opened_by=actor, opened_at=timezone.now())
        Signal.objects.filter(pk__in=signal_ids).update(case=case, status=SignalStatus.IN_CASE)
        LinkCandidate.objects.filter(pk__in=candidate_ids).update(case=case)
        record_event(actor, "risk.case_opened", case, after={"title": title, "signals": signal_ids,
                                                             "candidates": candidate_ids})
    return case


def _locked_open(case: Case) -> Case:
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.status != CaseStatus.OPEN:
        raise RiskRefused("case_closed", "案件已结案", "the case is closed", status=409)
    return current


def add_note(actor: Any, case: Case, text: str) -> CaseNote:
    _require_city_official(actor, case.city_id)
    text = _text(text, "note_required", "记录内容不能为空", "a note cannot be empty")
    with transaction.atomic():
        current = _locked_open(case)
        note = CaseNote.objects.create(case=current, author=actor, text=text, written_at=timezone.now())
        record_event(actor, "risk.case_noted", current, after={"note": note.pk})
    return note


# --- evidence ---------------------------------------------------------------------------------------


def _clean_file_name(file_name: str) -> str:
    """Only the last part of a path, without control characters or quotes: the name is shown and sent back."""
    base = PureWindowsPath(PurePosixPath(file_name or "").name).name
    cleaned = re.sub(r"[\x00-\x1f\x7f\"]", "", base).strip()
    return cleaned[-255:]


def add_evidence(actor: Any, case: Case, file_name: str, content: bytes, description: str = "") -> CaseEvidence:
    """An official of the case's city adds a document: PDF, JPEG or PNG judged by its content, at most 10 MB.
    The bytes are kept in the database (as the institutions' documents are); the audit keeps name, size, hash."""
    _require_city_official(actor, case.city_id)
    name = _clean_file_name(file_name)
    description = (description or "").strip()
    if not name:
        raise RiskRefused("file_name", "文件须有名称", "the file needs a name")
    if not content:
        raise RiskRefused("file_empty", f"文件“{name}”为空", f"file {name!r} is empty")
    if len(content) > EVIDENCE_MAX_BYTES:
        raise RiskRefused("file_too_large", f"文件“{name}”超过 10 MB 上限", f"file {name!r} is over the 10 MB limit",
                          status=413)
    content_type = sniffed_content_type(content)
    if content_type is None:
        raise RiskRefused("file_type", f"文件“{name}”不是 PDF、JPEG 或 PNG（按文件内容判断）",
                          f"file {name!r} is not a PDF, JPEG or PNG (judged by its content)", status=415)
    if len(description) > DESCRIPTION_MAX:
        raise RiskRefused("too_long", f"说明超过{DESCRIPTION_MAX}字", f"longer than {DESCRIPTION_MAX} characters")
    with transaction.atomic():
        current = _locked_open(case)
        evidence = CaseEvidence.objects.create(
            case=current, file_name=name, description=description, content_type=content_type, size=len(content),
            sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=actor,
            uploaded_at=timezone.now())
        record_event(actor, "risk.evidence_added", current, after={
            "evidence": evidence.pk, "file_name": name, "content_type": content_type, "size": len(content),
            "sha256": evidence.sha256})
    return evidence


def evidence_content(actor: Any, evidence: CaseEvidence, request: HttpRequest | None = None) -> bytes:
    """The file as uploaded, for an official who may see the case; each download is audited (evidence can
    hold personal data: a bank statement, an ID card's photograph)."""
    if not scoped(Case.objects.filter(pk=evidence.case_id), actor).exists():
        raise RiskRefused(*NOT_FOUND, status=404)
    with transaction.atomic():
        record_event(actor, "risk.evidence_downloaded", evidence.case, after={"evidence": evidence.pk},
                     request=request)
    return bytes(evidence.content)


# --- decisions --------------------------------------------------------------------------------------


def _of_city(row: Any, city_id: str) -> None:
    if row is None or row.city_id != city_id:
        raise RiskRefused(*NOT_FOUND, status=404)


def _ref(value: str, code: str, zh: str, en: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RiskRefused(code, zh, en)
    if len(value) > REF_MAX:
        raise RiskRefused("too_long", f"文号超过{REF_MAX}字", f"a document number is longer than {REF_MAX} characters")
    return value


def _checked(measures: Sequence[Measure], document_ref: str) -> None:
    kinds = [measure.kind for measure in measures]
    if not kinds:
        raise RiskRefused("measure_required", "处理决定须至少包含一项措施", "a decision needs at least one measure")
    unknown = [kind for kind in kinds if kind not in MeasureKind.values or kind == MeasureKind.LIFTING]
    if unknown:
        raise RiskRefused("bad_measure", f"处理措施无效：{', '.join(unknown)}", f"unknown measure: {unknown}")
    if MeasureKind.NO_FINDING in kinds and len(kinds) > 1:
        raise RiskRefused("no_finding_alone", "“未发现问题”不能与其他措施并用",
                          "'no finding' cannot stand beside another measure")
    if MeasureKind.PUBLIC_NOTICE in kinds and not document_ref:
        raise RiskRefused("document_ref_required", "公开通报须有处理决定文号",
                          "a public notice needs the decision's document number")


def _apply(actor: Any, case: Case, decision: CaseDecision, measure: Measure) -> CaseMeasure:
    """Carry out one measure through its owner's service and record it on the decision."""
    row = CaseMeasure(decision=decision, kind=measure.kind)
    kind, reason, ref = measure.kind, decision.reason, decision.document_ref
    if kind == MeasureKind.RECOVERY:
        if measure.claim is None:
            raise RiskRefused("claim_required", "追回须指明申领", "a recovery names the claim")
        _of_city(measure.claim, case.city_id)
        row.recovery = open_recovery(actor, measure.claim, RecoveryReason.FRAUD, f"风险案件#{case.pk}：{reason}")
    elif kind in (MeasureKind.SUSPENSION, MeasureKind.INSTITUTION_LISTING, MeasureKind.PUBLIC_NOTICE):
        if measure.institution is None:
            raise RiskRefused("institution_required", "该措施须指明机构", "this measure names the institution")
        _of_city(measure.institution, case.city_id)
        row.institution = measure.institution
        if kind == MeasureKind.SUSPENSION:
            providers.suspend_institution(actor, measure.institution, reason)
        elif kind == MeasureKind.INSTITUTION_LISTING:
            row.listing = sanctions.list_institution(actor, measure.institution, reason, ref,
                                                     listed_from=measure.listed_from,
                                                     listed_until=measure.listed_until)
    elif kind == MeasureKind.PERSON_LISTING:
        if measure.person is None:
            raise RiskRefused("person_required", "列入黑名单须指明个人", "a person's listing names the person")
        if not scoped(Person.objects.filter(pk=measure.person.pk), actor).exists():
            raise RiskRefused(*NOT_FOUND, status=404)
        row.person = measure.person
        row.listing = sanctions.list_person(actor, measure.person, reason, ref, listed_from=measure.listed_from,
                                            listed_until=measure.listed_until)
    elif kind == MeasureKind.REFERRAL:
        _referral(case, row, measure)
    row.save()
    return row


def _referral(case: Case, row: CaseMeasure, measure: Measure) -> None:
    """移送司法机关 (6d: 涉嫌犯罪的移送司法机关): the letter's number and date and the receiving authority."""
    row.referral_document_ref = _ref(measure.referral_document_ref, "referral_ref_required", "移送须填写移送书文号",
                                     "a referral needs its letter's number", required=True)
    row.referred_to = _ref(measure.referred_to, "referred_to_required", "移送须填写受理机关",
                           "a referral names the authority it went to", required=True)
    if measure.referral_date is None:
        raise RiskRefused("referral_date_required", "移送须填写移送日期", "a referral needs its date")
    if measure.referral_date > today():
        raise RiskRefused("referral_date_future", "移送日期不能晚于今天", "a referral's date cannot be in the future")
    row.referral_date = measure.referral_date
    if measure.institution is not None:
        _of_city(measure.institution, case.city_id)
        row.institution = measure.institution
    if measure.person is not None:
        row.person = measure.person


def decide_case(actor: Any, case: Case, reason: str, measures: Sequence[Measure], *, document_ref: str = "",
                close: bool = True) -> CaseDecision:
    """An official of the case's city decides, with a reason and the decision's document number, one or more
    measures (6d). `close` ends the case (its signals become 已结案); a case may also be decided in steps
    (a suspension while the inquiry goes on, the listing later). One transaction: a measure refused by its
    owner (a claim not paid, a listing already in force) leaves the case and every other app as they were."""
    _require_city_official(actor, case.city_id)
    reason = _text(reason, "reason_required", "处理决定须说明理由", "a decision needs a reason")
    document_ref = _ref(document_ref, "", "", "", required=False)
    _checked(measures, document_ref)
    try:
        with transaction.atomic():
            current = _locked_open(case)
            now = timezone.now()
            decision = CaseDecision.objects.create(case=current, decided_by=actor, decided_at=now, decided_on=today(),
                                                   reason=reason, document_ref=document_ref, closes_case=close)
            rows = [_apply(actor, current, decision, measure) for measure in measures]
            record_event(actor, "risk.case_decided", current, after={
                "decision": decision.pk, "document_ref": document_ref, "closes_case": close,
                "measures": [_measure_facts(row) for row in rows]}, reason=reason)
            if close:
                current.status, current.closed_by, current.closed_at = CaseStatus.CLOSED, actor, now
                current.save(update_fields=["status", "closed_by", "closed_at"])
                Signal.objects.filter(case=current).update(status=SignalStatus.CLOSED)
                record_event(actor, "risk.case_closed", current, before={"status": CaseStatus.OPEN},
                             after={"status": CaseStatus.CLOSED, "decision": decision.pk}, reason=reason)
    except (FundingRefused, ValidationError, PermissionDenied) as refusal:
        raise _refused(refusal) from refusal
    return decision


def _measure_facts(row: CaseMeasure) -> dict[str, Any]:
    return {"kind": row.kind, "institution": row.institution_id, "person": row.person_id,
            "recovery": row.recovery_id, "listing": row.listing_id,
            "referral_document_ref": row.referral_document_ref, "referral_date": row.referral_date,
            "referred_to": row.referred_to}


def listings_of_case(case: Case) -> QuerySet[BlacklistEntry]:
    """The register entries this case's decisions made: the ones its page may lift."""
    return BlacklistEntry.objects.filter(pk__in=CaseMeasure.objects.filter(
        decision__case=case, kind__in=(MeasureKind.INSTITUTION_LISTING, MeasureKind.PERSON_LISTING),
    ).values("listing")).select_related("institution", "person")


def lift_listing(actor: Any, case: Case, entry: BlacklistEntry, last_day: dt.date, reason: str,
                 document_ref: str = "") -> CaseDecision:
    """Lift, by a later decision on the case that made it, a listing early (sanctions.lift_listing: the last
    day listed is yesterday at the earliest; nothing is back-dated). Open or closed, the case keeps the
    decision on its timeline; the engine's 6d reads the shortened entry for any training ending after it."""
    _require_city_official(actor, case.city_id)
    reason = _text(reason, "reason_required", "解除须说明理由", "lifting a listing needs a reason")
    document_ref = _ref(document_ref, "", "", "", required=False)
    if not listings_of_case(case).filter(pk=entry.pk).exists():
        raise RiskRefused(*NOT_FOUND, status=404)
    try:
        with transaction.atomic():
            current = Case.objects.select_for_update().get(pk=case.pk)
            decision = CaseDecision.objects.create(case=current, decided_by=actor, decided_at=timezone.now(),
                                                   decided_on=today(), reason=reason, document_ref=document_ref)
            lifted = sanctions.lift_listing(actor, entry, last_day, reason, document_ref)
            row = CaseMeasure.objects.create(decision=decision, kind=MeasureKind.LIFTING, listing=lifted,
                                             institution_id=lifted.institution_id, person_id=lifted.person_id)
            record_event(actor, "risk.case_decided", current, after={
                "decision": decision.pk, "document_ref": document_ref, "closes_case": False,
                "measures": [_measure_facts(row)], "last_day": last_day}, reason=reason)
    except (ValidationError, PermissionDenied) as refusal:
        raise _refused(refusal) from refusal
    return decision


# --- what the pages show ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    kind: str  # note | evidence | decision | opened | closed
    who: Any
    item: Any = None
    measures: list[CaseMeasure] = field(default_factory=list)


def timeline(case: Case) -> list[TimelineItem]:
    """Notes, evidence and decisions (with their measures) of a case, oldest first, after its opening."""
    items = [TimelineItem(case.opened_at, "opened", case.opened_by)]
    items += [TimelineItem(note.written_at, "note", note.author, note)
              for note in case.notes.select_related("author")]
    items += [TimelineItem(each.uploaded_at, "evidence", each.uploaded_by, each)
              for each in case.evidence.select_related("uploaded_by").defer("content")]
    for decision in case.decisions.select_related("decided_by").prefetch_related(
            "measures__institution", "measures__person", "measures__listing", "measures__recovery"):
        items.append(TimelineItem(decision.decided_at, "decision", decision.decided_by, decision,
                                  list(decision.measures.all())))
    return sorted(items, key=lambda each: (each.at, ["opened", "note", "evidence", "decision"].index(each.kind)))


@dataclass(frozen=True)
class PublicNotice:
    """One published notice: no reason text, no person: the institution, what was decided, when, the number."""

    institution_name: str
    measures: list[str]
    decided_on: dt.date
    document_ref: str
    city_name: str


def _notice_words(row: CaseMeasure) -> str:
    from django.utils.translation import gettext

    label = str(MeasureKind(row.kind).label)
    if row.kind == MeasureKind.INSTITUTION_LISTING and row.listing is not None:
        return gettext("%(measure)s（自%(day)s起）") % {"measure": label, "day": row.listing.listed_from.isoformat()}
    return label


def public_notices(limit: int = 500) -> list[PublicNotice]:
    """The decisions their officials chose to publish, newest first: for each institution a notice names, the
    decision's measures that concern that institution (never a person's listing)."""
    notices = (CaseMeasure.objects.filter(kind=MeasureKind.PUBLIC_NOTICE)
               .select_related("decision", "institution", "institution__city")
               .order_by("-decision__decided_on", "-pk")[:limit])
    shown = []
    for notice in notices:
        siblings = [row for row in notice.decision.measures.select_related("listing").order_by("pk")
                    if row.institution_id == notice.institution_id and row.person_id is None
                    and row.kind != MeasureKind.PUBLIC_NOTICE]
        shown.append(PublicNotice(notice.institution.name, [_notice_words(row) for row in siblings],
                                  notice.decision.decided_on, notice.decision.document_ref,
                                  notice.institution.city.name))
    return shown


def case_parties(case: Case) -> dict[str, list[Any]]:
    """What the case's records name: the paid claims, institutions and persons a measure may act on."""
    from qiancheng.funding.models import ClaimStatus

    claim_ids, institution_ids, person_ids = set(), set(), set()
    for signal in case.signals.all():
        institution_ids.add(signal.institution_id)
        person_ids.add(signal.person_id)
        for record in signal.records:
            pk = record.get("pk")
            if record.get("model") == "funding.subsidyclaim":
                claim_ids.add(pk)
            elif record.get("model") == "people.person":
                person_ids.add(pk)
            elif record.get("model") == "providers.institution":
                institution_ids.add(pk)
    for candidate in case.candidates.all():
        person_ids.update({candidate.person_a_id, candidate.person_b_id})
    person_ids.discard(None)
    institution_ids.discard(None)
    paid = SubsidyClaim.objects.filter(city_id=case.city_id, status=ClaimStatus.PAID)
    claims = paid.filter(pk__in=[pk for pk in claim_ids if isinstance(pk, int)]) | paid.filter(
        person_id__in=person_ids) | paid.filter(enrolment__training_class__institution_id__in=institution_ids)
    return {
        "claims": list(claims.distinct().order_by("pk")[:200]),
        "institutions": list(Institution.objects.filter(pk__in=institution_ids, city_id=case.city_id)),
        "persons": list(Person.objects.filter(pk__in=person_ids)),
    }
