"""Certificates imported from the evaluation bodies (xlsx or API) join the person's record (1b, 4.2, 3.5d).

A file (or an API body) is read into rows, every row is checked, and the bad rows are reported with
their row number, column and reason. Applying is atomic: all good rows or nothing; by default nothing
is applied while any row is bad, and the caller may choose to apply the good rows alone. It is
idempotent: a row whose number is already held with the same facts is counted as unchanged, so the
same file applied twice adds nothing. An imported vocational-skill-level certificate is an ordinary
`Certificate` without an evaluation, so the decision engine's history (funding/services/decision_store.py, 3.5d) reads it
exactly like an issued one.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from qiancheng.accounts.audit import record_event, snapshot
from qiancheng.accounts.models import Role
from qiancheng.accounts.scope import scoped
from qiancheng.catalog.models import County, CourseKind, Occupation, SpecialAbilityItem
from qiancheng.catalog.vocabulary import SkillLevel
from qiancheng.clock import today
from qiancheng.evaluation.models import Certificate, CertificateKind
from qiancheng.people import crypto
from qiancheng.people.identity import check_id_number
from qiancheng.people.masking import mask_id_number
from qiancheng.people.models import Person
from qiancheng.people.services import register_person
from qiancheng.projects.models import Project
from qiancheng.web.imports_done import Imported, ImportKind, imported
from qiancheng.web.language import chinese
from qiancheng.web.tabular import MAX_ROWS, check_upload, read_sheet

if TYPE_CHECKING:
    from qiancheng.accounts.models import User

NUMBER, NAME, ID_NUMBER, KIND, SUBJECT, LEVEL, ISSUER, ISSUED_ON = (
    "证书编号", "姓名", "身份证号", "证书类型", "职业编码/项目", "等级", "发证机构", "发证日期")
HEADERS = (NUMBER, NAME, ID_NUMBER, KIND, SUBJECT, LEVEL, ISSUER, ISSUED_ON)
HEADERS_EN = {NUMBER: "certificate number", NAME: "name", ID_NUMBER: "ID number", KIND: "certificate kind",
              SUBJECT: "occupation code / item / course / project / title", LEVEL: "level", ISSUER: "issuer",
              ISSUED_ON: "date of issue"}
# The API's JSON keys for the same columns.
API_KEYS = {"number": NUMBER, "name": NAME, "id_number": ID_NUMBER, "kind": KIND, "subject": SUBJECT,
            "level": LEVEL, "issuer": ISSUER, "issued_on": ISSUED_ON}
IMPORTERS = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
AUDITED = ("number", "kind", "occupation_id", "level", "item_id", "course_kind_id", "project_id", "title", "issuer",
           "issued_on")


KIND_WORDS: dict[str, str] = {
    **{chinese(label): value for value, label in CertificateKind.choices},
    **{value: value for value in CertificateKind.values},
    "职业技能等级": CertificateKind.VOCATIONAL_SKILL_LEVEL,
    "专项职业能力": CertificateKind.SPECIAL_ABILITY,
    "创业培训": CertificateKind.ENTREPRENEURSHIP,
    "项目制培训": CertificateKind.PROJECT_TRAINING,
    "其他部门证书": CertificateKind.OTHER_AUTHORITY,
}
LEVEL_WORDS: dict[str, int] = {
    **{str(level): level for level in SkillLevel.values},
    **{chinese(label): level for level, label in SkillLevel.choices},
    **{part: level for level, label in SkillLevel.choices for part in chinese(label).split("/")},
}


@dataclass(frozen=True)
class CertificateRow:
    """One row as typed (cells as text, None when empty); `row` as the spreadsheet numbers it (header = 1)."""

    row: int
    number: str | None
    name: str | None
    id_number: str | None
    kind: str | None
    subject: str | None
    level: str | None
    issuer: str | None
    issued_on: str | None


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str
    code: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "column_en": HEADERS_EN.get(self.column, self.column),
                "code": self.code, "message_zh": self.zh, "message_en": self.en}


@dataclass
class _Good:
    """A checked row: what the certificate will hold, and the person it joins."""

    row: int
    number: str
    name: str
    id_number: str  # normalised; kept in memory only, sealed when the person is registered
    kind: str
    subject: dict[str, Any]
    issuer: str
    issued_on: dt.date


@dataclass
class ImportOutcome:
    """What an import found and did; `applied` is False when nothing was written."""

    rows: int
    problems: list[ImportProblem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    persons_created: int = 0
    applied: bool = False

    @property
    def good_count(self) -> int:
        return self.rows - len({problem.row for problem in self.problems})


# ---------------------------------------------------------------- the file


def certificate_template() -> bytes:
    """The downloadable template: the eight Chinese headers, text columns for numbers, a notes sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("证书")
    bold, text = book.add_format({"bold": True}), book.add_format({"num_format": "@"})
    for column, header in enumerate(HEADERS):
        sheet.write_string(0, column, header, bold)
    sheet.set_column(0, 0, 22, text)
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 2, 22, text)
    sheet.set_column(3, 7, 18, text)
    kinds = [chinese(label) for _, label in CertificateKind.choices]
    sheet.data_validation(1, 3, MAX_ROWS, 3, {"validate": "list", "source": kinds})
    notes = book.add_worksheet("填写说明")
    lines = [
        "每行一张证书，从第2行开始填写；请勿修改第1行表头。One certificate a row from row 2; keep the header row.",
        f"证书类型可选：{'、'.join(kinds)}。",
        "职业编码/项目：职业技能等级证书填职业编码（如4-04-05-05）；专项职业能力证书填项目编码或名称；"
        "创业培训合格证书填课程（如SYB）；项目制培训合格证书填项目编号；其他部门证书填证书名称。",
        "等级：仅职业技能等级证书填写，1-5 或 五级/初级工 等。Level: skill-level certificates only, 1-5.",
        "身份证号、证书编号请以文本填写；发证日期写作 2025-10-20。Type numbers as text; dates as 2025-10-20.",
        "同一文件重复导入不会重复添加证书。Importing the same file twice adds nothing.",
    ]
    for number, line in enumerate(lines):
        notes.write_string(number, 0, line)
    book.close()
    return buffer.getvalue()


def _text(cell: object) -> str | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    text = str(cell).strip()
    return text or None


def read_certificate_file(file_name: str, data: bytes) -> list[CertificateRow]:
    """The rows of an uploaded .xlsx, after the roster's upload safety checks (size, zip bomb, XML, macros)."""
    check_upload(file_name, data)
    return [CertificateRow(number, *(_text(cell) for cell in cells[: len(HEADERS)]))
            for number, cells in read_sheet(data, HEADERS, HEADERS_EN, ("文件", "file"))]


def rows_from_records(records: Iterable[Mapping[str, Any]]) -> list[CertificateRow]:
    """API rows ({"number", "name", "id_number", "kind", "subject", "level", "issuer", "issued_on"}),
    numbered from 1 like the body's list."""
    return [CertificateRow(index, *(_text(record.get(key)) for key in API_KEYS))
            for index, record in enumerate(records, start=1)]


# ---------------------------------------------------------------- checking


def _date(text: str) -> dt.date | None:
    cleaned = text.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in cleaned[:10].split("-")))
    except ValueError:
        return None


class _Checker:
    """Checks rows against the catalog, the existing certificates and persons, and the actor's city."""

    def __init__(self, actor: User, rows: list[CertificateRow]) -> None:
        self.actor = actor
        self.as_of = today()
        numbers = {row.number.strip() for row in rows if row.number}
        self.existing = {certificate.number: certificate for certificate in Certificate.objects.filter(number__in=numbers)}
        self.occupations = {occupation.code: occupation for occupation in
                            Occupation.objects.filter(code__in={row.subject.strip() for row in rows if row.subject})}
        self.projects = {project.code: project for project in scoped(Project, actor).filter(
            code__in={row.subject.strip() for row in rows if row.subject})}
        self.city_counties = (set(County.objects.filter(city_id=actor.city_id).values_list("code", flat=True))
                              if actor.role == Role.CITY_OFFICIAL else None)
        self.visible_persons = scoped(Person, actor)

    def problems(self, row: CertificateRow) -> tuple[_Good | None, list[ImportProblem]]:
        found: list[ImportProblem] = []

        def problem(column: str, code: str, zh: str, en: str) -> None:
            found.append(ImportProblem(row.row, column, code, zh, en))

        number = (row.number or "").strip()
        if not number:
            problem(NUMBER, "required", "证书编号不能为空", "the certificate number is required")
        elif len(number) > 64:
            problem(NUMBER, "too_long", "证书编号超过64个字符", "the certificate number is longer than 64 characters")
        name = " ".join((row.name or "").split())
        if not name:
            problem(NAME, "required", "姓名不能为空", "the name is required")
        check = check_id_number(row.id_number or "", as_of=self.as_of)
        if not row.id_number:
            problem(ID_NUMBER, "required", "身份证号不能为空", "the ID number is required")
        elif not check.is_valid:
            problem(ID_NUMBER, check.errors[0].code, "；".join(error.zh for error in check.errors),
                    "; ".join(error.en for error in check.errors))
        kind = KIND_WORDS.get((row.kind or "").strip())
        if kind is None:
            problem(KIND, "kind", f"证书类型“{row.kind or ''}”无法识别（可选：{'、'.join(chinese(label) for _, label in CertificateKind.choices)}）",
                    f"unknown certificate kind “{row.kind or ''}”")
        subject = self._subject(kind, row, problem) if kind else {}
        issuer = (row.issuer or "").strip()
        if not issuer:
            problem(ISSUER, "required", "发证机构不能为空", "the issuer is required")
        issued_on = _date(row.issued_on or "")
        if issued_on is None:
            problem(ISSUED_ON, "date", f"发证日期“{row.issued_on or ''}”无效（格式如2025-10-20）",
                    f"date of issue “{row.issued_on or ''}” is invalid (write it as 2025-10-20)")
        elif issued_on > self.as_of:
            problem(ISSUED_ON, "future", f"发证日期{issued_on}晚于今天", f"date of issue {issued_on} is in the future")
        if found:
            return None, found
        assert kind is not None and issued_on is not None  # no problem means both were read
        good = _Good(row.row, number, name, check.normalised, kind, subject, issuer, issued_on)
        self._person_problems(good, problem)
        return (None, found) if found else (good, [])

    def _subject(self, kind: str, row: CertificateRow, problem: Any) -> dict[str, Any]:
        text = (row.subject or "").strip()
        if not text:
            problem(SUBJECT, "required", "须填写职业编码、项目、课程或证书名称", "the occupation/item/course/project/title is required")
            return {}
        if kind == CertificateKind.VOCATIONAL_SKILL_LEVEL:
            occupation = self.occupations.get(text)
            if occupation is None:
                problem(SUBJECT, "occupation_unknown", f"职业编码“{text}”不在国家职业分类中",
                        f"occupation code “{text}” is not in the national classification")
                return {}
            level = LEVEL_WORDS.get((row.level or "").strip())
            if level is None:
                problem(LEVEL, "level_unknown", f"等级“{row.level or ''}”无法识别（1-5级）", f"unknown level “{row.level or ''}” (1-5)")
                return {}
            if not occupation.allows_level(level):
                problem(LEVEL, "level_not_in_standard", f"职业“{occupation.name}”没有{level}级（第3.1条）",
                        f"occupation {occupation.code} has no level {level} (clause 3.1)")
                return {}
            return {"occupation_id": occupation.code, "level": level}
        if kind == CertificateKind.SPECIAL_ABILITY:
            item = SpecialAbilityItem.objects.filter(code=text).first() or SpecialAbilityItem.objects.filter(name=text).first()
            if item is None:
                problem(SUBJECT, "item_unknown", f"专项职业能力项目“{text}”不在目录中", f"special-ability item “{text}” is not in the catalog")
                return {}
            return {"item_id": item.pk}
        if kind == CertificateKind.ENTREPRENEURSHIP:
            course = CourseKind.objects.filter(code__iexact=text).first() or CourseKind.objects.filter(name=text).first()
            if course is None:
                problem(SUBJECT, "course_unknown", f"创业培训课程“{text}”不在目录中", f"entrepreneurship course “{text}” is not in the catalog")
                return {}
            return {"course_kind_id": course.pk}
        if kind == CertificateKind.PROJECT_TRAINING:
            project = self.projects.get(text)
            if project is None:
                problem(SUBJECT, "project_unknown", f"项目编号“{text}”不存在", f"no project numbered “{text}”")
                return {}
            # 3.4d: a project-training certificate only after the joint confirmation of effect
            if not project.effect_confirmed:
                problem(SUBJECT, "effect_not_confirmed", "项目培训效果尚未经人社部门和申报单位共同确认（第3.4条(四)）",
                        "the project's effect is not yet confirmed by both sides (clause 3.4d)")
                return {}
            return {"project_id": project.pk}
        if len(text) > 128:
            problem(SUBJECT, "too_long", "证书名称超过128个字符", "the title is longer than 128 characters")
            return {}
        return {"title": text}

    def _person_problems(self, good: _Good, problem: Any) -> None:
        keys = crypto.person_key_candidates(good.id_number)
        person = Person.objects.filter(person_key__in=keys).first()
        masked = mask_id_number(good.id_number)
        if person is not None and person.name != good.name:
            problem(NAME, "name_mismatch", f"身份证号{masked}已登记为另一姓名，请核实",
                    f"ID number {masked} is registered under another name: please check")
            return
        if self.city_counties is not None:
            mine = (self.visible_persons.filter(pk=person.pk).exists() if person is not None
                    else good.id_number[:6] in self.city_counties)
            if not mine:
                problem(ID_NUMBER, "other_city", f"身份证号{masked}的持证人不属于本市，请由其所在市或自治区导入",
                        f"the holder of {masked} is not of your city: the holder's city or the province imports it")
                return
        held = self.existing.get(good.number)
        if held is not None and not _same(held, good, person):
            problem(NUMBER, "number_taken", f"证书编号{good.number}已存在且内容不同", f"certificate {good.number} already exists with other facts")


def _same(held: Certificate, good: _Good, person: Person | None) -> bool:
    """The already-held certificate is this row again (the idempotent case)."""
    subject = {name: getattr(held, name) for name in good.subject}
    return (person is not None and held.person_id == person.pk and held.kind == good.kind
            and subject == good.subject and held.issued_on == good.issued_on)


def check_certificate_rows(actor: User, rows: list[CertificateRow]) -> tuple[list[_Good], list[ImportProblem]]:
    """Every row checked: the good ones, and each bad row's problems (row, column, reason)."""
    checker = _Checker(actor, rows)
    goods: list[_Good] = []
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    for row in rows:
        good, found = checker.problems(row)
        number = (row.number or "").strip()
        if number and number in seen:
            found.append(ImportProblem(row.row, NUMBER, "duplicate_in_file", f"证书编号与第{seen[number]}行重复",
                                       f"the certificate number repeats row {seen[number]}"))
            good = None
        elif number:
            seen[number] = row.row
        problems += found
        if good is not None:
            goods.append(good)
    return goods, problems


# ---------------------------------------------------------------- applying


def import_certificates(actor: User, rows: list[CertificateRow], *, apply_good_rows: bool = False) -> ImportOutcome:
    """Check every row and apply the good ones in one transaction (1b; history for 3.5d).

    Nothing is written while any row is bad unless `apply_good_rows`. Persons not yet known are
    registered through `people.services.register_person` (their ID number sealed); each new
    certificate is an audit event "certificate.imported".
    """
    if actor.role not in IMPORTERS:
        raise PermissionDenied("只有人社部门可以导入证书 / only the human-resources bureaus may import certificates")
    if not rows:
        raise ValidationError("没有可导入的行 / there are no rows to import", code="empty")
    goods, problems = check_certificate_rows(actor, rows)
    outcome = ImportOutcome(rows=len(rows), problems=problems)
    if problems and not apply_good_rows:
        return outcome
    try:
        _apply(actor, goods, outcome)
    except IntegrityError as exc:
        # Another import wrote one of these numbers between our check and our insert: nothing of this
        # one was kept, and running it again finds those rows unchanged.
        raise ValidationError("另一导入同时写入了相同的证书编号，本次未导入任何数据，请重新提交 / another import wrote "
                              "the same certificate numbers at the same time; nothing was imported, submit again",
                              code="concurrent_import") from exc
    outcome.applied = True
    return outcome


def _apply(actor: User, goods: list[_Good], outcome: ImportOutcome) -> None:
    with transaction.atomic():
        held = set(Certificate.objects.select_for_update().filter(number__in=[good.number for good in goods])
                   .values_list("number", flat=True))
        for good in goods:
            if good.number in held:
                outcome.unchanged.append(good.number)
                continue
            before = Person.objects.filter(person_key__in=crypto.person_key_candidates(good.id_number)).exists()
            person = register_person(actor, good.id_number, good.name, as_of=today())
            outcome.persons_created += 0 if before else 1
            certificate = Certificate.objects.create(number=good.number, kind=good.kind, person=person,
                                                     issuer=good.issuer, issued_on=good.issued_on, **good.subject)
            record_event(actor, "certificate.imported", certificate, after=snapshot(certificate, AUDITED))
            outcome.created.append(good.number)
        if outcome.created:
            # Pass rates change with certificates: risk's outlier rule reads them once the import commits.
            imported(Imported(ImportKind.CERTIFICATES, actor.pk, actor.city_id, records=len(outcome.created)))
