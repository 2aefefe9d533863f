"""The one writer of the sanctions register (6d): list an institution or a person, lift a listing early.

Each function checks the actor's right, runs in one transaction, writes the audit trail and tells the
apps above through `qiancheng.sanctions.signals` (providers marks the institution 列入黑名单). The reads
(`in_force`, `institution_listed`, `person_listed`) are what providers, funding and the engine's store ask.

Who decides (6d: 违规者严肃查处, by the city that supervises the programme):
- an institution is listed, and its listing lifted, by an official of the institution's own city;
- a person is listed by a city or province official; a person's listing is lifted by the province or by
  an official of the city that listed them.
A listing is never deleted and never back-dated: lifting sets its last day, yesterday at the earliest,
so every decision already taken stays explainable.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role, User
from qiancheng.clock import today
from qiancheng.sanctions.models import BlacklistEntry
from qiancheng.sanctions.signals import listing_lifted, party_listed

DOCUMENT_REF_MAX = 128
LISTED_FIELDS = ("listed_from", "listed_until", "reason", "document_ref")
LIFTED_FIELDS = ("listed_until", "lifted_reason", "lifted_document_ref", "lifted_at")


def in_force(on: date) -> Q:
    """The condition on `BlacklistEntry` rows that cover `on` (first and last day included)."""
    return Q(listed_from__lte=on) & (Q(listed_until__isnull=True) | Q(listed_until__gte=on))


def institution_listed(institution_id: int, on: date) -> bool:
    """Whether the institution is on the register on `on` (6d)."""
    return BlacklistEntry.objects.filter(in_force(on), institution_id=institution_id).exists()


def person_listed(person_key: str, on: date) -> bool:
    """Whether the person is on the register on `on` (6d)."""
    return BlacklistEntry.objects.filter(in_force(on), person_id=person_key).exists()


def listings_of(party: models.Model) -> QuerySet[BlacklistEntry]:
    """Every listing of an institution or a person, newest first."""
    return BlacklistEntry.objects.filter(**{_party_field(party): party.pk}).order_by("-listed_from", "-pk")


def _party_field(party: models.Model) -> str:
    """"institution" or "person": which of the entry's two foreign keys names this record."""
    for name in ("institution", "person"):
        if isinstance(party, BlacklistEntry._meta.get_field(name).related_model):
            return name
    raise TypeError(f"{party._meta.label} cannot be listed: only an institution or a person")


def _clean_reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise ValidationError("须说明理由 / a reason is required", code="reason_required")
    return cleaned


def _clean_ref(document_ref: str) -> str:
    cleaned = document_ref.strip()
    if len(cleaned) > DOCUMENT_REF_MAX:
        raise ValidationError(f"决定文号不能超过{DOCUMENT_REF_MAX}个字符 / the decision's number is longer than "
                              f"{DOCUMENT_REF_MAX} characters", code="document_ref_too_long")
    return cleaned


def _may_list(actor: User | None, field: str, party: models.Model) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("须登录 / sign in first")
    if field == "institution":
        if actor.role != Role.CITY_OFFICIAL or actor.city_id != party.city_id:
            raise PermissionDenied("只有机构所在市的人社局可以处理该机构 / only the institution's own city may "
                                   "list it")
    elif actor.role not in (Role.CITY_OFFICIAL, Role.PROVINCE_OFFICIAL):
        raise PermissionDenied("只有人社部门可以将个人列入黑名单 / only an official may list a person")


def _may_lift(actor: User | None, entry: BlacklistEntry) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("须登录 / sign in first")
    if entry.institution_id is not None:
        _may_list(actor, "institution", entry.institution)
        return
    if actor.role == Role.PROVINCE_OFFICIAL:
        return
    if actor.role != Role.CITY_OFFICIAL or actor.city_id != entry.created_by.city_id:
        raise PermissionDenied("只有作出决定的市或自治区人社厅可以解除对个人的处理 / only the listing city or the "
                               "province may lift a person's listing")


def _list(actor: User, party: models.Model, reason: str, document_ref: str, listed_from: date | None,
          listed_until: date | None) -> BlacklistEntry:
    field = _party_field(party)
    _may_list(actor, field, party)
    reason, document_ref = _clean_reason(reason), _clean_ref(document_ref)
    start = listed_from or today()
    if start < today():
        raise ValidationError("不能追溯列入黑名单（列入日期早于今天）/ a listing cannot start before today",
                              code="backdated")
    if listed_until is not None and listed_until < start:
        raise ValidationError("截止日期早于起始日期 / the last day is before the first", code="until_before_from")
    with transaction.atomic():
        # One listing at a time per party: the party's row is the lock two officials would race on.
        type(party)._default_manager.select_for_update().filter(pk=party.pk).exists()
        overlapping = listings_of(party).filter(Q(listed_until__isnull=True) | Q(listed_until__gte=start))
        if listed_until is not None:
            overlapping = overlapping.filter(listed_from__lte=listed_until)
        if overlapping.exists():
            raise ValidationError("已在黑名单上（期间重叠）/ already listed for part of this period",
                                  code="already_listed")
        entry = BlacklistEntry.objects.create(
            **{field: party}, listed_from=start, listed_until=listed_until, reason=reason,
            document_ref=document_ref, created_by=actor,
        )
        record_event(actor, "blacklist.listed", entry,
                     after={field: party.pk, **snapshot(entry, LISTED_FIELDS)}, reason=reason)
        party_listed.send(sender=BlacklistEntry, entry=entry, actor=actor, reason=reason)
    return entry


def list_institution(actor: User, institution: models.Model, reason: str, document_ref: str = "",
                     listed_from: date | None = None, listed_until: date | None = None) -> BlacklistEntry:
    """The city lists an institution (6d: false advertising, subcontracting, subsidy fraud), from today
    (or a later day) with no end unless one is given; the institution's status follows (providers).
    While listed it opens no class, is chosen for no project, gets no credit advance and its claims are
    denied by 6d."""
    return _list(actor, institution, reason, document_ref, listed_from, listed_until)


def list_person(actor: User, person: models.Model, reason: str, document_ref: str = "",
                listed_from: date | None = None, listed_until: date | None = None) -> BlacklistEntry:
    """An official lists a person (6d: 骗取补贴), from today (or a later day), with no end unless one is
    given; while listed, the person's claims are denied by 6d."""
    return _list(actor, person, reason, document_ref, listed_from, listed_until)


def lift_listing(actor: User, entry: BlacklistEntry, last_day: date, reason: str,
                 document_ref: str = "") -> BlacklistEntry:
    """Lift a listing early by a decision: `last_day` becomes its last day listed (inclusive).

    The last day is yesterday at the earliest (a decision made today frees the party from today on; what
    was decided before stays as decided), not before the listing began, and never later than an end the
    listing already has. The entry keeps who lifted it, when, why and by which decision.
    """
    reason, document_ref = _clean_reason(reason), _clean_ref(document_ref)
    with transaction.atomic():
        locked = BlacklistEntry.objects.select_for_update().select_related("created_by").get(pk=entry.pk)
        _may_lift(actor, locked)
        if locked.lifted_at is not None:
            raise ValidationError("该处理已解除 / this listing was already lifted", code="already_lifted")
        earliest = max(locked.listed_from, today() - timedelta(days=1))
        if last_day < earliest:
            raise ValidationError(f"解除后的最后一日不能早于{earliest} / the last day listed cannot be before "
                                  f"{earliest} (no back-dating)", code="backdated")
        if locked.listed_until is not None and last_day >= locked.listed_until:
            raise ValidationError(f"该处理本就于{locked.listed_until}结束 / the listing already ends on "
                                  f"{locked.listed_until}", code="not_earlier")
        before = snapshot(locked, LIFTED_FIELDS)
        locked.listed_until = last_day
        locked.lifted_reason = reason
        locked.lifted_document_ref = document_ref
        locked.lifted_by = actor
        locked.lifted_at = timezone.now()
        locked.save(update_fields=["listed_until", "lifted_reason", "lifted_document_ref", "lifted_by", "lifted_at",
                                   "updated_at"])
        record_event(actor, "blacklist.lifted", locked, before=before, after=snapshot(locked, LIFTED_FIELDS),
                     reason=reason)
        listing_lifted.send(sender=BlacklistEntry, entry=locked, actor=actor, reason=reason)
    return locked
