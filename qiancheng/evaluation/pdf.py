"""The certificate as a PDF (1b, 4.2): its facts, the holder, and a QR code to the public verify page.

The text is set in Noto Sans SC (OFL, shipped in evaluation/fonts/), of which the PDF embeds the subset of
glyphs it uses: a phone with no Chinese font shows the certificate as printed (reportlab's built-in
STSong-Light left the glyphs to the viewer). The QR code carries the absolute `/verify/<number>/` URL.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from qiancheng.evaluation.models import Certificate

FONT = "NotoSansSC"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Regular.ttf"
QR_SIZE = 42 * mm


def chinese_font() -> str:
    """The embedded Chinese font's name, registered once; other PDFs (the lifelong record) set their text in it."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        # subfontIndex 0, embedded as subsets of at most 256 glyphs each (reportlab's TrueType embedding).
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
    return FONT


def verify_qr(verify_url: str) -> QrCodeWidget:
    """The QR widget printed on the certificate: it encodes exactly the public verify URL."""
    return QrCodeWidget(verify_url, barLevel="M")


def certificate_facts(certificate: Certificate) -> list[tuple[str, str]]:
    """(label, value) lines the PDF prints, holder first; the ID number only masked."""
    facts = [("证书编号 Number", certificate.number),
             ("持证人 Holder", certificate.person.name),
             ("身份证号 ID number", certificate.person.id_number_masked),
             ("证书类别 Kind", certificate.get_kind_display())]
    if certificate.title:
        facts.append(("证书名称 Title", certificate.title))
    if certificate.occupation_id:
        facts.append(("职业（工种） Occupation", f"{certificate.occupation.name}（{certificate.occupation_id}）"))
    if certificate.level:
        facts.append(("等级 Level", certificate.get_level_display()))
    if certificate.item_id:
        facts.append(("专项职业能力 Item", certificate.item.name))
    if certificate.course_kind_id:
        facts.append(("创业培训课程 Course", certificate.course_kind.name))
    if certificate.project_id:
        facts.append(("培训项目 Project", certificate.project.title))
    facts += [("发证机构 Issuer", certificate.issuer),
              ("发证日期 Issued on", certificate.issued_on.isoformat()),
              ("状态 Status", certificate.get_status_display())]
    return facts


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """One landscape A4 page; uncompressed page streams so the number is searchable in the file."""
    font = chinese_font()
    buffer = BytesIO()
    width, height = landscape(A4)
    page = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=0)
    page.setTitle(f"{certificate.get_kind_display()} {certificate.number}")
    page.setAuthor(certificate.issuer)
    page.setSubject(certificate.number)
    page.setLineWidth(2)
    page.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    page.setFont(font, 26)
    page.drawCentredString(width / 2, height - 40 * mm, certificate.get_kind_display().split(" ")[0])
    page.setFont(font, 13)
    y = height - 60 * mm
    for label, value in certificate_facts(certificate):
        page.drawString(30 * mm, y, label)
        page.drawString(95 * mm, y, value)
        y -= 10 * mm
    widget = verify_qr(verify_url)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, page, width - 30 * mm - QR_SIZE, 30 * mm)
    page.setFont(font, 9)
    page.drawRightString(width - 30 * mm, 25 * mm, f"扫码查验 Scan to verify: {verify_url}")
    page.showPage()
    page.save()
    return buffer.getvalue()
