"""The printable certificate: one A4 page in Chinese and English with a QR code to its verification page.

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1). It is referenced, not
embedded, so the file stays small and its text stays extractable; PDF readers supply the glyphs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph, Table, TableStyle

from services.certification.certificates.display import (
    CJK_RANGES,
    QUIET_ZONE_MODULES,
    SCAN_EN,
    SCAN_ZH,
    TITLE_EN,
    TITLE_ZH,
    CertificateStatus,
    certificate_rows,
    qr_modules,
)

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
GREEN = colors.HexColor("#1B5E20")
RED = colors.HexColor("#B71C1C")
GREY = colors.HexColor("#555555")
_MARGIN = 15 * mm
_QR_SIZE = 38 * mm

pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))

_LABEL = ParagraphStyle("label", fontName=CJK_FONT, fontSize=11, leading=14, textColor=GREY)
_VALUE = ParagraphStyle("value", fontName=CJK_FONT, fontSize=12, leading=16.5, wordWrap="CJK")
_SMALL = ParagraphStyle("small", fontName=CJK_FONT, fontSize=8, leading=10.5, textColor=GREY, wordWrap="CJK")
_LATIN_RUN = re.compile(f"[^{CJK_RANGES}]+")
STATEMENT = (
    "兹证明下列活动已按所适用的政策完成碳中和。",
    "This certifies that the event below has been made carbon neutral under the applicable policy.",
)


class PrintableError(ValueError):
    """A certificate whose content does not fit its one printed page."""


def _markup(text: str) -> str:
    # Latin runs in Helvetica: the CID font's Latin glyphs look uneven when a reader substitutes the font.
    return _LATIN_RUN.sub(lambda run: f"<font name='{LATIN_FONT}'>{escape(run.group())}</font>", text)


def _border(canvas: Canvas, width: float, height: float) -> None:
    canvas.setStrokeColor(GREEN)
    for inset, line_width in ((_MARGIN - 5 * mm, 2.5), (_MARGIN - 3 * mm, 0.6)):
        canvas.setLineWidth(line_width)
        canvas.rect(inset, inset, width - 2 * inset, height - 2 * inset)


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    modules = qr_modules(url)
    box = size / (len(modules) + 2 * QUIET_ZONE_MODULES)
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    for r, row in enumerate(modules):
        bottom = y + size - (r + QUIET_ZONE_MODULES + 1) * box
        # One rectangle per run of dark modules: the same picture in far fewer drawing operations.
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            canvas.rect(x + (start + QUIET_ZONE_MODULES) * box, bottom, (c - start) * box, box, stroke=0, fill=1)


def _watermark(canvas: Canvas, width: float, height: float) -> None:
    canvas.saveState()
    canvas.setFillColor(RED)
    canvas.setFillAlpha(0.18)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    canvas.setFont(CJK_FONT, 80)
    canvas.drawCentredString(0, 20, "已撤销")
    canvas.setFont(LATIN_BOLD, 60)
    canvas.drawCentredString(0, -50, "REVOKED")
    canvas.restoreState()


def _table(credential: Mapping[str, Any], status: CertificateStatus, width: float) -> Table:
    data = []
    for row in certificate_rows(credential, status):
        english = f"<font name='{LATIN_FONT}' size='8.5'>{escape(row.label_en)}</font>"
        label = Paragraph(f"{escape(row.label_zh)}<br/>{english}", _LABEL)
        value_style = _VALUE
        if row.label_en == "Status":
            colour = GREEN if status == "valid" else RED
            value_style = ParagraphStyle("status", parent=_VALUE, textColor=colour)
        data.append([label, [Paragraph(_markup(line), value_style) for line in row.lines]])
    table = Table(data, colWidths=[34 * mm, width - 34 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.3, colors.HexColor("#C8E6C9")),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def render_pdf(credential: Mapping[str, Any], *, status: CertificateStatus, verification_url: str) -> bytes:
    """The one-page A4 PDF of a certificate credential, with a QR code that opens verification_url."""
    buffer = io.BytesIO()
    width, height = A4
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{TITLE_ZH} {TITLE_EN} {credential['id']}")
    canvas.setAuthor(str(credential["issuer"]["name"]))
    _border(canvas, width, height)
    if status == "revoked":
        _watermark(canvas, width, height)

    canvas.setFillColor(GREEN)
    canvas.setFont(CJK_FONT, 30)
    canvas.drawCentredString(width / 2, height - _MARGIN - 22 * mm, TITLE_ZH)
    canvas.setFont(LATIN_BOLD, 16)
    canvas.drawCentredString(width / 2, height - _MARGIN - 31 * mm, TITLE_EN)
    canvas.setFillColor(GREY)
    canvas.setFont(CJK_FONT, 10.5)
    canvas.drawCentredString(width / 2, height - _MARGIN - 41 * mm, STATEMENT[0])
    canvas.setFont(LATIN_FONT, 9.5)
    canvas.drawCentredString(width / 2, height - _MARGIN - 46 * mm, STATEMENT[1])
    canvas.setFillColor(colors.black)

    content_width = width - 2 * _MARGIN
    table_top = height - _MARGIN - 52 * mm
    table_bottom = _MARGIN + _QR_SIZE + 8 * mm
    frame = Frame(_MARGIN, table_bottom, content_width, table_top - table_bottom, showBoundary=0)
    leftover = [_table(credential, status, content_width - 12)]
    frame.addFromList(leftover, canvas)
    if leftover:
        raise PrintableError("the certificate content does not fit on one A4 page")

    qr_x = width - _MARGIN - _QR_SIZE
    _qr(canvas, verification_url, qr_x, _MARGIN + 4 * mm, _QR_SIZE)
    note = Paragraph(
        "<br/>".join(
            _markup(line)
            for line in (
                f"{SCAN_ZH} {SCAN_EN}",
                verification_url,
                "",
                "本证书以 W3C 可验证凭证（JWT）签发，扫码或访问上述网址可核验其真实性与当前状态。",
                "Issued as a signed W3C Verifiable Credential; scan the code or open the address above to "
                "check that it is authentic and see its current status.",
            )
        ),
        _SMALL,
    )
    note_width = qr_x - _MARGIN - 6 * mm
    _, note_height = note.wrap(note_width, _QR_SIZE)
    note.drawOn(canvas, _MARGIN, _MARGIN + 4 * mm + (_QR_SIZE - note_height) / 2)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
