"""Every change to demand: enterprise registration and its city's review, census rounds, demand reports.

Each service takes the acting user, checks, writes in one transaction and records the audit trail.
Refusals carry Chinese and English ("中文 / English"); a demand report's problems are kept one per
field (and per row of a file), so the page, the API and the .xlsx upload all say the same thing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from qiancheng.accounts.audit import record_event, record_events, snapshot
from qiancheng.accounts.models import Role, User
from qiancheng.catalog.models import City, County, IndustrialPark, Industry, Occupation, SpecialAbilityItem
from qiancheng.catalog.registry_facts import check_registry_facts, registry_facts_problems
from qiancheng.catalog.uscc import check_uscc
from qiancheng.clock import now as programme_now
from qiancheng.clock import today
from qiancheng.demand.models import (
    CONTENT_MAX,
    HEADCOUNT_MAX,
    WAGE_MAX,
    CensusRound,
    DemandReport,
    DemandReportVersion,
    Enterprise,
    EnterpriseStatus,
    RoundScope,
)
from qiancheng.people.masking import mask_phone

NAME_MAX = 128
REASON_MAX = 2000
TITLE_MAX = 128
# A deadline further out than this is a typo, not a plan (the census looks at this year and next, 1c).
DEADLINE_YEARS_MAX = 5
VERSION_FIELDS = ("headcount", "wage_offered", "industry_id", "deadline", "will_hire")
REPORT_FIELDS = ("occupation_id", "level", "item_id", "content", "headcount", "wage_offered", "county_id", "industry_id",
                 "deadline", "will_hire")


def _refusal(code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(f"{zh} / {en}", code=code)


# ---- Enterprises: registration and review (1c) ----

def _registration_problems(*, name: str, uscc: str, park: IndustrialPark | None, city: City) -> dict[str, ValidationError]:
    problems: dict[str, ValidationError] = {}
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_MAX:
        problems["name"] = _refusal("name_invalid", f"企业名称须为1至{NAME_MAX}个字", f"the name needs 1 to {NAME_MAX} characters")
    # The same check as an institution's (catalog.uscc, shared with providers): one reading of GB 32100 in the product.
    check = check_uscc(uscc)
    if not check.is_valid:
        reason = check.errors[0]
        problems["uscc"] = _refusal("uscc_invalid", f"统一社会信用代码：{reason.zh}", f"USCC: {reason.en}")
    elif Enterprise.objects.filter(uscc=check.normalised).exists():
        problems["uscc"] = _refusal("uscc_taken", "该统一社会信用代码已登记", "an enterprise with this USCC is already registered")
    if park is not None and park.city_id is not None and park.city_id != city.pk:
        problems["park"] = _refusal("park_city", "所选园区不在该市", "the park is not in the chosen city")
    return problems


def audited_facts(enterprise: Enterprise) -> dict[str, str]:
    """The registry facts as the audit trail keeps them: the phone masked (catalog.registry_facts says why)."""
    return {"legal_representative": enterprise.legal_representative,
            "phone": mask_phone(enterprise.phone) if enterprise.phone else "", "address": enterprise.address}


def register_enterprise(actor: User | None, *, name: str, uscc: str, city: City, contact_name: str = "",
                        park: IndustrialPark | None = None, legal_representative: str = "", phone: str = "",
                        address: str = "") -> Enterprise:
    """An enterprise registers (1c, 3.4a); it starts as "applied", waiting for its city's review. Its legal
    representative, phone and address are the registry facts risk compares (6d: catalog.registry_facts)."""
    problems = {**_registration_problems(name=name, uscc=uscc, park=park, city=city),
                **registry_facts_problems(legal_representative, phone, address)}
    if problems:
        raise next(iter(problems.values()))
    facts = check_registry_facts(legal_representative, phone, address)
    normalised = check_uscc(uscc).normalised
    with transaction.atomic():
        # Two registrations racing for one code: the second sees the first's row (the column is unique too).
        if Enterprise.objects.select_for_update().filter(uscc=normalised).exists():
            raise _refusal("uscc_taken", "该统一社会信用代码已登记", "an enterprise with this USCC is already registered")
        enterprise = Enterprise.objects.create(
            name=" ".join(name.split()), uscc=normalised, city=city, park=park,
            contact_name=" ".join(contact_name.split())[:64], status=EnterpriseStatus.APPLIED,
            submitted_at=timezone.now(), legal_representative=facts.legal_representative, phone=facts.phone,
            address=facts.address,
        )
        record_event(actor, "enterprise.registered", enterprise,
                     after={**snapshot(enterprise, ("name", "uscc", "city_id", "park_id", "status")),
                            **audited_facts(enterprise)})
    return enterprise


def update_enterprise_facts(actor: User, enterprise: Enterprise, *, legal_representative: str | None = None,
                            phone: str | None = None, address: str | None = None) -> Enterprise:
    """The enterprise keeps its registry facts current, whatever its status: risk compares them (6d), so a
    change is audited with the before and after (phone masked). A fact left None keeps what is stored."""
    if actor is None or actor.role != Role.ENTERPRISE or actor.enterprise_id != enterprise.pk:
        raise PermissionDenied("只有该企业本身可以更新登记信息 / only the enterprise itself may update its registry facts")
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        before = audited_facts(locked)
        facts = check_registry_facts(
            locked.legal_representative if legal_representative is None else legal_representative,
            locked.phone if phone is None else phone, locked.address if address is None else address)
        locked.legal_representative, locked.phone, locked.address = facts.legal_representative, facts.phone, facts.address
        locked.save(update_fields=["legal_representative", "phone", "address", "updated_at"])
        after = audited_facts(locked)
        if after != before:
            record_event(actor, "enterprise.registry_facts_changed", locked, before=before, after=after)
    return locked


def register_enterprise_with_account(request: HttpRequest | None, *, username: str, password: str, name: str,
                                     uscc: str, city: City, contact_name: str = "",
                                     park: IndustrialPark | None = None, legal_representative: str = "",
                                     phone: str = "", address: str = "") -> User:
    """Public registration: the enterprise and its own login, both or neither.

    Every wrong field is reported at once, by field name, in a ValidationError dict.
    """
    from qiancheng.accounts.services import create_account

    problems = {**_registration_problems(name=name, uscc=uscc, park=park, city=city),
                **registry_facts_problems(legal_representative, phone, address)}
    username = username.strip()
    try:
        User.username_validator(username)
        if not username:
            raise _refusal("username_required", "用户名不能为空", "a username is required")
        if User.objects.filter(username__iexact=username).exists():
            raise _refusal("username_taken", "该用户名已被使用", "this username is taken")
    except ValidationError as refusal:
        problems["username"] = refusal
    try:
        validate_password(password, User(username=username, role=Role.ENTERPRISE))
    except ValidationError as refusal:
        problems["password"] = refusal
    if problems:
        raise ValidationError({name_: refusal.error_list for name_, refusal in problems.items()})
    with transaction.atomic():
        enterprise = register_enterprise(None, name=name, uscc=uscc, city=city, contact_name=contact_name, park=park,
                                         legal_representative=legal_representative, phone=phone, address=address)
        return create_account(None, username, password, Role.ENTERPRISE, request=request,
                              check_password_strength=False, enterprise=enterprise)


class ReviewDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


def review_enterprise(actor: User, enterprise: Enterprise, decision: str, reason: str) -> Enterprise:
    """The city's decision on a registration: approve, or reject with a reason (1c: 各市审核)."""
    if actor is None or actor.role != Role.CITY_OFFICIAL or actor.city_id != enterprise.city_id:
        raise PermissionDenied("只有企业所在市人社局可以审核 / only the enterprise's own city may review it")
    if decision not in ReviewDecision.__members__.values():
        raise _refusal("decision_invalid", "审核结论无效", f"unknown decision {decision!r}")
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise _refusal("reason_too_long", f"理由不得超过{REASON_MAX}字", f"the reason is longer than {REASON_MAX} characters")
    if decision == ReviewDecision.REJECT and not reason:
        raise _refusal("reason_required", "不予通过须说明理由", "a rejection needs a reason")
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if locked.status != EnterpriseStatus.APPLIED:
            raise _refusal("not_pending", "该企业不在待审核状态", "this enterprise is not waiting for review")
        before = snapshot(locked, ("status", "status_reason"))
        locked.status = EnterpriseStatus.APPROVED if decision == ReviewDecision.APPROVE else EnterpriseStatus.REJECTED
        locked.status_reason, locked.reviewed_by, locked.reviewed_at = reason, actor, timezone.now()
        locked.save(update_fields=["status", "status_reason", "reviewed_by", "reviewed_at", "updated_at"])
        record_event(actor, f"enterprise.{decision}", locked, before=before,
                     after=snapshot(locked, ("status", "status_reason")), reason=reason)
    return locked


# ---- Census rounds (1c, 4.1) ----

def open_round(actor: User, *, title: str, period_from: dt.date, period_to: dt.date, scope: str,
               city: City | None = None, park: IndustrialPark | None = None) -> CensusRound:
    """An official opens a census round: the province for any scope, a city for itself or its parks."""
    if actor is None or actor.role not in (Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL):
        raise PermissionDenied("只有人社部门可以发起需求普查 / only an official opens a census round")
    title = " ".join(title.split())
    if not title or len(title) > TITLE_MAX:
        raise _refusal("title_invalid", f"名称须为1至{TITLE_MAX}个字", f"the title needs 1 to {TITLE_MAX} characters")
    if period_to < period_from:
        raise _refusal("period_reversed", "截止日期早于开始日期", "the period ends before it starts")
    if period_to < today():
        raise _refusal("period_past", "普查期已过", "the period is already over")
    if scope == RoundScope.PROVINCE:
        city = park = None
    elif scope == RoundScope.CITY:
        if city is None:
            raise _refusal("city_required", "请选择市", "a city round needs its city")
        park = None
    elif scope == RoundScope.PARK:
        if park is None:
            raise _refusal("park_required", "请选择园区", "a park round needs its park")
        city = None
    else:
        raise _refusal("scope_invalid", "普查范围无效", f"unknown scope {scope!r}")
    if actor.role == Role.CITY_OFFICIAL:
        own = (scope == RoundScope.CITY and city is not None and city.pk == actor.city_id) or (
            scope == RoundScope.PARK and park is not None and park.city_id == actor.city_id)
        if not own:
            raise PermissionDenied("市人社局只能在本市或本市园区发起普查 / a city opens rounds for itself or its parks only")
    with transaction.atomic():
        census = CensusRound.objects.create(title=title, period_from=period_from, period_to=period_to, scope=scope,
                                            city=city, park=park, opened_by=actor)
        record_event(actor, "census_round.opened", census,
                     after=snapshot(census, ("title", "period_from", "period_to", "scope", "city_id", "park_id")))
    return census


def round_covers(census: CensusRound, enterprise: Enterprise) -> bool:
    if census.scope == RoundScope.PROVINCE:
        return True
    if census.scope == RoundScope.CITY:
        return census.city_id == enterprise.city_id
    return enterprise.park_id is not None and census.park_id == enterprise.park_id


# ---- Demand reports: one validation and one writer for the form, the API and the .xlsx ----

@dataclass(frozen=True)
class Problem:
    """One thing wrong with one report: the field (see demand.report_file for its column), and why."""

    field: str
    code: str
    zh: str
    en: str
    row: int | None = None  # the spreadsheet row, for a file

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code, "message_zh": self.zh, "message_en": self.en}


class ReportsRefused(ValidationError):
    """Every problem of a batch; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__([f"{p.zh} / {p.en}" for p in problems], code="reports_invalid")
        self.problems = problems


@dataclass(frozen=True)
class ReportInput:
    """A report as it arrived: typed by the API and the form, text from a spreadsheet."""

    occupation: str | None = None  # catalog occupation code
    level: int | str | None = None
    content: str | None = None
    headcount: int | str | None = None
    item: str | None = None  # catalog special-ability item code (专项职业能力, 3.2), where no standard exists
    wage_offered: Decimal | int | str | None = None
    county: str | None = None  # catalog division code
    industry: str | None = None  # catalog industry code (the "1+19" system, 1a)
    deadline: dt.date | str | None = None
    will_hire: bool | str | None = None
    row: int | None = None


@dataclass(frozen=True)
class _Catalog:
    """The catalogue entries a batch names, read once: a file of 100,000 rows makes no query per row."""

    occupations: dict[str, Occupation]
    counties: dict[str, County]
    industries: dict[str, Industry]
    items: dict[str, SpecialAbilityItem]

    @classmethod
    def for_reports(cls, reports: Sequence[ReportInput]) -> _Catalog:
        codes = {_text(raw.occupation)[:16] for raw in reports if _text(raw.occupation)}
        item_codes = {_text(raw.item)[:32] for raw in reports if _text(raw.item)}
        return cls(
            occupations={each.code: each for each in Occupation.objects.filter(code__in=codes)},
            items={each.code: each for each in SpecialAbilityItem.objects.filter(code__in=item_codes)},
            counties={each.code: each for each in County.objects.filter(is_current=True)},
            industries={each.code: each for each in Industry.objects.filter(is_active=True)},
        )


@dataclass
class _Checked:
    values: dict[str, Any]
    need_key: str
    row: int | None


@dataclass
class SubmitResult:
    created: list[DemandReport] = field(default_factory=list)
    updated: list[DemandReport] = field(default_factory=list)
    unchanged: int = 0


YES = {"是", "yes", "y", "true", "1", "会", "招用"}
NO = {"否", "no", "n", "false", "0", "不", "不招用"}


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


CHINESE_LEVELS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


def _level(value: object) -> int | None:
    """1-5, also as a spreadsheet says it: "4级", "四级", "四级/中级工"."""
    text = _text(value).split("/")[0].removesuffix("级").strip()
    return CHINESE_LEVELS.get(text) or _whole(text if text else value, 1, 5)


def _whole(value: object, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        try:
            parsed = Decimal(_text(value))
        except InvalidOperation:
            return None
        if parsed != parsed.to_integral_value():
            return None
        number = int(parsed)
    return number if low <= number <= high else None


def _check_one(raw: ReportInput, catalog: _Catalog) -> tuple[_Checked | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(name: str, code: str, zh: str, en: str) -> None:
        problems.append(Problem(name, code, zh, en, raw.row))

    values: dict[str, Any] = {}
    code, content = _text(raw.occupation), " ".join(_text(raw.content).split())
    item_code = _text(raw.item)
    level_text = _text(raw.level)
    if sum(1 for given in (code, item_code, content) if given) > 1:
        problem("item" if item_code else "content", "occupation_and_content",
                "职业、专项职业能力项目与培训内容只填其一（无国家标准时才填专项职业能力项目或培训内容）",
                "give one of an occupation, a special-ability item or a training content (an item or a content "
                "only where no standard exists)")
    elif item_code:
        # 3.2: an item is trained and assessed to its own specification, which has no levels.
        item = catalog.items.get(item_code[:32])
        if item is None or not item.is_active:
            problem("item", "item_unknown", f"专项职业能力项目编码 {item_code[:32]} 不在本区项目目录中或已停用",
                    f"special-ability item {item_code[:32]} is not on the province's list or is withdrawn")
        elif level_text:
            problem("level", "level_with_item", "按专项职业能力项目填报时不填等级（专项职业能力不分等级）",
                    "a special-ability item has no level")
        else:
            values.update(occupation_id=None, level=None, item_id=item.code, content="")
    elif code:
        occupation = catalog.occupations.get(code[:16])
        level = _level(raw.level)
        if occupation is None:
            problem("occupation", "occupation_unknown", f"职业编码 {code[:20]} 不在国家职业分类大典中",
                    f"occupation code {code[:20]} is not in the catalog")
        elif level is None:
            problem("level", "level_invalid", "技能等级须为1至5级", "the level must be 1 to 5")
        elif not occupation.allows_level(level):
            problem("level", "level_not_in_occupation", f"职业 {occupation.name} 没有{level}级（第3.1条）",
                    f"occupation {occupation.code} has no level {level} (clause 3.1)")
        else:
            values.update(occupation_id=occupation.code, level=level, item_id=None, content="")
    elif content:
        if level_text:
            problem("level", "level_without_occupation", "按培训内容填报时不填等级", "a training content has no level")
        elif len(content) > CONTENT_MAX:
            problem("content", "content_too_long", f"培训内容不得超过{CONTENT_MAX}字",
                    f"the content is longer than {CONTENT_MAX} characters")
        else:
            values.update(occupation_id=None, level=None, item_id=None, content=content)
    else:
        problem("occupation", "occupation_required",
                "请填写职业编码和等级，或无国家标准时的专项职业能力项目编码或培训内容",
                "give an occupation code and level, or where no standard exists a special-ability item code or a "
                "training content")
    headcount = _whole(raw.headcount, 1, HEADCOUNT_MAX)
    if headcount is None:
        problem("headcount", "headcount_invalid", f"需求人数须为1至{HEADCOUNT_MAX}的整数",
                f"the headcount must be a whole number from 1 to {HEADCOUNT_MAX}")
    values["headcount"] = headcount
    try:
        wage = raw.wage_offered if isinstance(raw.wage_offered, Decimal) else Decimal(_text(raw.wage_offered))
        wage_ok = wage.is_finite() and 0 <= wage <= WAGE_MAX and wage == wage.quantize(Decimal("0.01"))
    except InvalidOperation:
        wage_ok = False
    if isinstance(raw.wage_offered, (bool, float)) or not wage_ok:
        problem("wage_offered", "wage_invalid", f"月薪须为0至{WAGE_MAX}元，最多两位小数",
                f"the monthly wage must be 0 to {WAGE_MAX} yuan, at most two decimals")
    else:
        values["wage_offered"] = wage.quantize(Decimal("0.01"))
    county = catalog.counties.get(_text(raw.county)[:6])
    if county is None:
        problem("county", "county_unknown", f"县（市、区）代码 {_text(raw.county)[:12]} 无效或已停用",
                f"county code {_text(raw.county)[:12]} is unknown or withdrawn")
    else:
        values["county_id"] = county.code
    industry = catalog.industries.get(_text(raw.industry)) or next(
        (each for each in catalog.industries.values() if each.name == _text(raw.industry)), None)
    if industry is None:
        problem("industry", "industry_unknown", f"产业 {_text(raw.industry)[:32]} 不在“1+19”产业目录中",
                f"industry {_text(raw.industry)[:32]} is not in the \"1+19\" list")
    else:
        values["industry_id"] = industry.code
    deadline = raw.deadline
    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline.strip()[:10])
        except ValueError:
            deadline = None
    if isinstance(deadline, dt.datetime):
        deadline = deadline.date()
    if not isinstance(deadline, dt.date) or deadline < today() or deadline.year > today().year + DEADLINE_YEARS_MAX:
        problem("deadline", "deadline_invalid", f"到岗期限须为今天至{DEADLINE_YEARS_MAX}年内的日期（如2026-03-01）",
                f"the deadline must be a date from today to {DEADLINE_YEARS_MAX} years ahead (e.g. 2026-03-01)")
    else:
        values["deadline"] = deadline
    hire = raw.will_hire if isinstance(raw.will_hire, bool) else (
        True if _text(raw.will_hire).lower() in YES else False if _text(raw.will_hire).lower() in NO else None)
    if hire is None:
        problem("will_hire", "will_hire_invalid", "是否招用培训合格人员须填“是”或“否”", "will hire the trained: yes or no")
    values["will_hire"] = hire
    if problems:
        return None, problems
    # An item's key has its own prefix, so an item code can never collide with a content of the same text; keys of
    # occupations and contents are as before, so needs reported earlier keep their key.
    need = values["content"] if values["item_id"] is None else f"item:{values['item_id']}"
    key = "|".join([values["occupation_id"] or "", str(values["level"] or ""), need, values["county_id"]])
    return _Checked(values, hashlib.sha256(key.encode("utf-8")).hexdigest(), raw.row), []


def _may_report(actor: User, census: CensusRound, enterprise: Enterprise) -> None:
    if actor is None or actor.role != Role.ENTERPRISE or actor.enterprise_id != enterprise.pk:
        raise PermissionDenied("只有企业本身可以填报需求 / only the enterprise itself reports its demand")
    if enterprise.status != EnterpriseStatus.APPROVED:
        raise _refusal("enterprise_not_approved", "企业注册尚未通过所在市审核", "the enterprise is not approved by its city yet")
    if not round_covers(census, enterprise):
        raise _refusal("round_not_yours", "该普查不面向本企业", "this census round does not cover the enterprise")
    if not census.period_from <= today() <= census.period_to:
        raise _refusal("round_closed", f"不在普查填报期内（{census.period_from}至{census.period_to}）",
                       f"outside the round's period ({census.period_from} to {census.period_to})")


def check_reports(census: CensusRound, reports: Sequence[ReportInput]) -> tuple[list[_Checked], list[Problem]]:
    """Every report checked; the same need twice in one batch is a problem of the later one."""
    catalog = _Catalog.for_reports(reports)
    checked, problems, seen = [], [], {}
    for number, raw in enumerate(reports, start=1):
        one, found = _check_one(raw, catalog)
        problems.extend(found)
        if one is None:
            continue
        if one.need_key in seen:
            first = seen[one.need_key]
            problems.append(Problem("occupation", "duplicate",
                                    f"与第{first}行是同一需求（职业等级、专项职业能力项目或内容及县区相同）",
                                    f"the same need as row {first} (occupation and level, item or content, and "
                                    "county)",
                                    raw.row))
            continue
        seen[one.need_key] = raw.row or number
        checked.append(one)
    return checked, problems


def submit_reports(actor: User, census: CensusRound, enterprise: Enterprise,
                   reports: Sequence[ReportInput]) -> SubmitResult:
    """The one writer of demand reports: all of them or none (1c).

    A need already reported in the round (same occupation and level, or content, and county) is updated,
    so sending the same file or form twice changes nothing; each created or changed report is audited and
    gets a dated version (DemandReportVersion), so what the demand was on any date can be asked (1c).
    """
    _may_report(actor, census, enterprise)
    if not reports:
        raise _refusal("no_reports", "没有可填报的需求", "there is no demand to report")
    checked, problems = check_reports(census, reports)
    if problems:
        raise ReportsRefused(problems)
    result = SubmitResult()
    new: list[DemandReport] = []
    with transaction.atomic():
        existing = {report.need_key: report for report in DemandReport.objects.select_for_update().filter(
            census_round=census, enterprise=enterprise)}
        for one in checked:
            report = existing.get(one.need_key)
            if report is None:
                new.append(DemandReport(census_round=census, enterprise=enterprise, need_key=one.need_key,
                                        created_by=actor, **one.values))
                continue
            before = snapshot(report, REPORT_FIELDS)
            for name, value in one.values.items():
                setattr(report, name, value)
            after = snapshot(report, REPORT_FIELDS)
            if after == before:
                result.unchanged += 1
                continue
            report.save()
            record_event(actor, "demand_report.updated", report, before=before, after=after)
            result.updated.append(report)
        # New reports in one insert, each with its own entry (record_events chains them as record_event would).
        result.created = DemandReport.objects.bulk_create(new, batch_size=2000)
        record_events(actor, "demand_report.created", DemandReport,
                      [(report.pk, snapshot(report, REPORT_FIELDS)) for report in result.created])
        now = programme_now()  # versions are read by programme day (insight.demand_gap.headcounts_on)
        DemandReportVersion.objects.bulk_create(
            [DemandReportVersion(report=report, recorded_at=now, recorded_by=actor,
                                 **{name: getattr(report, name) for name in VERSION_FIELDS})
             for report in [*result.created, *result.updated]], batch_size=2000)
    return result
