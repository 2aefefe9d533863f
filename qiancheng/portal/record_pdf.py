"""The lifelong record as a PDF: the page's content, in the page's language, with its generation date and the ID
number masked. Set in the certificate's embedded Chinese font (`evaluation.pdf.chinese_font`)."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from qiancheng.evaluation.pdf import chinese_font
from qiancheng.portal.lifelong_record import LifelongRecord, UsedLevel
from qiancheng.web.templatetags.page_shell import day, yuan

MARGIN = 18 * mm
LINE = 5.2 * mm


def _what(training_type: str, occupation: object, level_display: str, item: object, course: object,
          project: object) -> str:
    if occupation is not None:
        return f"{occupation.name} {level_display}"  # type: ignore[attr-defined]
    if item is not None:
        return item.name  # type: ignore[attr-defined]
    if course is not None:
        return course.name  # type: ignore[attr-defined]
    if project is not None:
        return project.title  # type: ignore[attr-defined]
    return training_type


def _used(entry: UsedLevel) -> str:
    return f"{entry.name}（{entry.code}）" + (f" {_('等级')} {entry.level}" if entry.level else "")


def record_sections(record: LifelongRecord) -> list[tuple[str, list[str]]]:
    """(heading, lines) the PDF prints, in order; the ID number only masked."""
    person, entitlement = record.person, record.entitlement
    none = [_("暂无")]
    trainings = [
        " · ".join((t.name, f"{t.get_training_type_display()}：{_what(t.training_type, t.occupation, t.get_level_display() if t.level else '', t.item, t.course_kind, t.project)}",
                    f"{day(t.start_date)} – {day(t.end_date)}", t.institution.name,
                    _("出勤率") + " " + (f"{row.attendance_rate}%" if row.attendance_rate is not None else _("未记录")),
                    (_("合格") if row.evaluation.passed else _("不合格")) if row.evaluation else _("未考核")))
        for row in record.trainings for t in (row.enrolment.training_class,)
    ]
    certificates = [
        " · ".join((c.number, c.get_kind_display(),
                    _what("", c.occupation, c.get_level_display() if c.level else "", c.item, c.course_kind, c.project)
                    if (c.occupation or c.item or c.course_kind or c.project) else c.title,
                    c.issuer, day(c.issued_on), c.get_status_display()))
        for c in record.certificates
    ]
    claims = [
        " · ".join((row.claim.number, row.claim.get_fund_display(), row.claim.get_status_display(),
                    (yuan(row.claim.total_amount) + " " + _("元")) if row.claim.total_amount is not None else _("待核定"),
                    (_("拨付日期") + " " + day(row.paid_on)) if row.paid_on else _("未拨付")))
        for row in record.claims
    ]
    proofs = [f"{claim.number} · {claim.get_employment_proof_kind_display()} · {day(claim.employment_proof_date)}"
              for claim in record.proofs]
    remaining = [
        _("今年还可参加补贴性培训（次）") + f"：{entitlement.left_this_year}",
        _("项目期内还可参加补贴性培训（次）") + f"：{entitlement.left_in_programme}",
        _("已计入的补贴性培训（次）") + f"：{entitlement.counted}",
        _("已享受补贴的职业等级和专项能力") + "：" + ("、".join(_used(u) for u in record.used) or _("暂无")),
        _("因持有更高等级证书不能再享受的等级") + "：" + ("、".join(_used(u) for u in record.closed) or _("暂无")),
    ]
    return [
        (_("个人信息"), [_("姓名") + f"：{person.name}", _("身份证号") + f"：{person.id_number_masked}",
                      _("生成日期") + f"：{day(record.generated_on)}"]),
        (_("剩余培训资格"), remaining),
        (_("培训记录"), trainings or none),
        (_("证书"), certificates or none),
        (_("补贴申领"), claims or none),
        (_("就业证明"), proofs or none),
    ]


def record_pdf(record: LifelongRecord) -> bytes:
    """A4 portrait pages; uncompressed page streams so numbers are searchable in the file."""
    font = chinese_font()
    buffer = BytesIO()
    width, height = A4
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    title = _("终身职业技能档案")
    page.setTitle(f"{title} {record.person.id_number_masked}")
    y = height - MARGIN

    def line(text: str, size: int, indent: float = 0) -> None:
        nonlocal y
        for part in simpleSplit(text, font, size, width - 2 * MARGIN - indent) or [""]:
            if y < MARGIN:
                page.showPage()
                y = height - MARGIN
            page.setFont(font, size)
            page.drawString(MARGIN + indent, y, part)
            y -= LINE * size / 10

    line(title, 18)
    y -= LINE
    for heading, lines in record_sections(record):
        line(heading, 13)
        for text in lines:
            line(text, 10, 4 * mm)
        y -= LINE / 2
    page.showPage()
    page.save()
    return buffer.getvalue()
