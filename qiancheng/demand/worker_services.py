"""Every change to the worker side of demand: a worker's skill gap and training willingness (1c), and the consent
to be contacted by enterprises (1b). One writer per state, in one transaction, audited.

Who may write:
- a gap: the worker (a trainee login, for themselves) or an official of the city of the gap's county (the
  community or job centre reporting on the worker's behalf, 1c);
- a consent: the person alone (a trainee login). Nobody gives or withdraws it for them: it is theirs (PIPL art. 14-15).
Refusals carry "中文 / English", as demand.services' do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role, User
from qiancheng.catalog.models import County, Occupation
from qiancheng.clock import now as programme_now
from qiancheng.demand.worker_models import (
    ConsentScope,
    ContactConsent,
    ReportedBy,
    Willingness,
    WorkerNeed,
    WorkerNeedVersion,
)
from qiancheng.people.models import Person

NEED_FIELDS = ("county_id", "willingness", "reported_by")


def _refusal(code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"{zh} / {en}", code=code)


@dataclass(frozen=True)
class NeedResult:
    need: WorkerNeed
    created: bool
    changed: bool


def _reporter(actor: User, person: Person, county: County) -> str:
    """Self, or on behalf (an official of the county's city); anyone else is refused."""
    if actor.role == Role.TRAINEE and actor.person_id == person.pk:
        return ReportedBy.SELF
    if actor.role == Role.CITY_OFFICIAL and actor.city_id == county.city_id:
        return ReportedBy.ON_BEHALF
    raise PermissionDenied("只有本人或所在市可以填报技能需求 / only the worker or their county's city may report this")


def check_need(*, occupation_code: str, level: object, county_code: str, willingness: str
               ) -> tuple[Occupation, int, County, str]:
    """The checked values of a gap, or the first problem (ValidationError with the field's code)."""
    occupation = Occupation.objects.filter(code=str(occupation_code).strip()).first()
    if occupation is None:
        raise _refusal("occupation_unknown", "职业编码不在目录中", "the occupation code is not in the catalogue")
    try:
        number = int(str(level).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 5:
        raise _refusal("level_invalid", "技能等级须为1至5级", "the level must be 1 to 5")
    if not occupation.allows_level(number):
        raise _refusal("level_not_in_occupation", f"职业 {occupation.name} 没有{number}级（第3.1条）",
                       f"occupation {occupation.code} has no level {number} (clause 3.1)")
    county = County.objects.filter(code=str(county_code).strip(), is_current=True).first()
    if county is None:
        raise _refusal("county_unknown", "县（市、区）代码无效", "unknown county code")
    if willingness not in Willingness.values:
        raise _refusal("willingness_invalid", "培训意愿无效", "unknown willingness")
    return occupation, number, county, willingness


def report_worker_need(actor: User, person: Person, *, occupation_code: str, level: object, county_code: str,
                       willingness: str) -> NeedResult:
    """A worker's gap (1c): the same occupation and level again updates it; every change is a dated version."""
    occupation, number, county, willingness = check_need(
        occupation_code=occupation_code, level=level, county_code=county_code, willingness=willingness)
    reported_by = _reporter(actor, person, county)
    with transaction.atomic():
        need = (WorkerNeed.objects.select_for_update()
                .filter(person=person, occupation=occupation, level=number).first())
        before = snapshot(need, NEED_FIELDS) if need else None
        created = need is None
        if need is None:
            need = WorkerNeed(person=person, occupation=occupation, level=number, created_by=actor)
        need.county, need.willingness, need.reported_by = county, willingness, reported_by
        after = snapshot(need, NEED_FIELDS)
        if before == after:
            return NeedResult(need, created=False, changed=False)
        need.save()
        WorkerNeedVersion.objects.create(need=need, county=county, willingness=willingness, reported_by=reported_by,
                                         recorded_at=programme_now(), recorded_by=actor)
        record_event(actor, "worker_need.created" if created else "worker_need.updated", need,
                     before=before, after={**after, "occupation_id": occupation.code, "level": number})
    return NeedResult(need, created=created, changed=True)


def consent_in_force(person: Person | str) -> ContactConsent | None:
    """The person's consent in force, if any."""
    key = person.pk if isinstance(person, Person) else person
    return ContactConsent.objects.filter(person_id=key, withdrawn_at__isnull=True).first()


def _own_person(actor: User, person: Person) -> None:
    if actor.role != Role.TRAINEE or actor.person_id != person.pk:
        raise PermissionDenied("只有本人可以授权或撤回 / only the person may give or withdraw their consent")


def give_consent(actor: User, person: Person, scope: str) -> ContactConsent:
    """The person agrees to be contacted by enterprises (1b), to `scope`; a consent already in force with another
    scope is closed and a new one opened, so the record shows what was agreed to when."""
    _own_person(actor, person)
    if scope not in ConsentScope.values:
        raise _refusal("scope_invalid", "授权范围无效", "unknown consent scope")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one change of a person's consent at a time
        current = consent_in_force(person)
        if current is not None and current.scope == scope:
            return current
        moment = programme_now()
        if current is not None:
            _close(actor, current, moment)
        consent = ContactConsent.objects.create(person=person, scope=scope, given_at=moment, given_by=actor)
        record_event(actor, "contact_consent.given", consent, after=snapshot(consent, ("scope", "given_at")))
    return consent


def withdraw_consent(actor: User, person: Person) -> ContactConsent | None:
    """The person withdraws; from now on no enterprise sees them (insight.matching reads only consents in force)."""
    _own_person(actor, person)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        current = consent_in_force(person)
        if current is None:
            return None
        _close(actor, current, programme_now())
    return current


def _close(actor: User, consent: ContactConsent, moment: object) -> None:
    before = snapshot(consent, ("scope", "given_at", "withdrawn_at"))
    consent.withdrawn_at, consent.withdrawn_by = moment, actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    record_event(actor, "contact_consent.withdrawn", consent, before=before,
                 after=snapshot(consent, ("scope", "given_at", "withdrawn_at")))
