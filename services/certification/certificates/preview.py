"""The certificate's PNG preview for phones: the key fields and the QR code, 750 pixels wide.

Drawing Chinese into pixels needs a CJK TrueType/OpenType font on the machine; none ships with the
Python packages we use. ``find_cjk_font`` looks in CJK_FONT_CANDIDATES, in order:

- /usr/share/fonts/truetype/wqy/wqy-microhei.ttc (Debian/Ubuntu package fonts-wqy-microhei)
- /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc (fonts-wqy-zenhei)
- /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc (fonts-noto-cjk; face 2 is Simplified Chinese)
- /usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc (Fedora google-noto-sans-cjk-ttc-fonts)
- /System/Library/Fonts/PingFang.ttc (macOS)

A deployment can also pass its own font file to ``render_png``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

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

CJK_FONT_CANDIDATES: tuple[tuple[Path, int], ...] = (
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"), 2),
    (Path("/System/Library/Fonts/PingFang.ttc"), 0),
)
WIDTH = 750
_PAD = 40
_QR_PIXELS = 330
_GREEN = (27, 94, 32)
_RED = (183, 28, 28)
_GREY = (100, 100, 100)
_INK = (25, 25, 25)
# Line-break opportunities: between any two CJK characters, and at spaces between Latin words.
_TOKENS = re.compile(f"[{CJK_RANGES}]|[^\\s{CJK_RANGES}]+|\\s+")
# Rows the phone preview shows; the full list stays on the PDF and the verification page.
_PREVIEW_ROWS = (
    "Organizer",
    "Dates",
    "Accounted emissions",
    "Offsets",
    "Confirmation",
    "Issuer",
    "Issue date",
)


class CJKFontNotFound(RuntimeError):
    """No CJK font was found to draw the preview's Chinese text."""


def find_cjk_font(candidates: Sequence[tuple[Path, int]] = CJK_FONT_CANDIDATES) -> tuple[Path, int]:
    """The first installed CJK font (path and face index) among the candidates."""
    for path, index in candidates:
        if path.is_file():
            return path, index
    tried = ", ".join(str(path) for path, _ in candidates)
    raise CJKFontNotFound(
        f"no CJK font found (tried {tried}); install one, e.g. the Debian/Ubuntu package fonts-wqy-microhei"
    )


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if draw.textlength(line + token, font=font) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = "" if token.isspace() else token
        # A token wider than the line on its own (an id, a URL) is cut wherever it overflows.
        while draw.textlength(line, font=font) > width:
            fits = (i for i in range(len(line), 0, -1) if draw.textlength(line[:i], font=font) <= width)
            cut = next(fits, 1)
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


class _Pen:
    """Writes wrapped text down a tall canvas and remembers how far it got."""

    def __init__(self, image: Image.Image, font_path: Path, face: int) -> None:
        self.draw = ImageDraw.Draw(image)
        self.font_path, self.face = font_path, face
        self.fonts: dict[int, ImageFont.FreeTypeFont] = {}
        self.y = 0

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self.fonts:
            self.fonts[size] = ImageFont.truetype(str(self.font_path), size, index=self.face)
        return self.fonts[size]

    def text(self, text: str, size: int, fill: tuple[int, int, int], *, center: bool = False, gap: int = 6) -> None:
        font = self.font(size)
        for line in _wrap(self.draw, text, font, WIDTH - 2 * _PAD):
            x = (WIDTH - self.draw.textlength(line, font=font)) / 2 if center else _PAD
            self.draw.text((x, self.y), line, font=font, fill=fill)
            self.y += round(size * 1.3)
        self.y += gap


def _paint(image: Image.Image, pen: _Pen, credential: Mapping[str, Any], status: CertificateStatus, url: str) -> int:
    pen.draw.rectangle((0, 0, WIDTH, 150), fill=_GREEN)
    pen.y = 28
    pen.text(TITLE_ZH, 52, (255, 255, 255), center=True, gap=0)
    pen.text(TITLE_EN, 28, (255, 255, 255), center=True)
    pen.y = 180

    rows = {row.label_en: row for row in certificate_rows(credential, status)}
    pen.text(rows["Event"].lines[0], 36, _INK, gap=16)
    for name in _PREVIEW_ROWS:
        row = rows[name]
        pen.text(f"{row.label_zh} {row.label_en}", 22, _GREY, gap=0)
        for line in row.lines:
            pen.text(line, 26, _INK, gap=0)
        pen.y += 14
    status_row = rows["Status"]
    status_colour = _GREEN if status == "valid" else _RED
    pen.text(f"{status_row.label_zh} {status_row.label_en}：{status_row.lines[0]}", 30, status_colour)

    modules = qr_modules(url)
    side = len(modules) + 2 * QUIET_ZONE_MODULES
    box = _QR_PIXELS // side
    left, top = (WIDTH - box * side) // 2, pen.y + 10
    for r, row_modules in enumerate(modules):
        for c, dark in enumerate(row_modules):
            if dark:
                x = left + (c + QUIET_ZONE_MODULES) * box
                y = top + (r + QUIET_ZONE_MODULES) * box
                pen.draw.rectangle((x, y, x + box - 1, y + box - 1), fill="black")
    pen.y = top + box * side + 6
    pen.text(f"{SCAN_ZH} {SCAN_EN}", 24, _GREY, center=True, gap=0)
    pen.text(str(credential["id"]), 18, _GREY, center=True)
    return pen.y + _PAD


def render_png(
    credential: Mapping[str, Any],
    *,
    status: CertificateStatus,
    verification_url: str,
    font: tuple[Path, int] | None = None,
) -> bytes:
    """A PNG preview of a certificate credential with its verification QR code."""
    font_path, face = font if font is not None else find_cjk_font()
    # The height depends on how the text wraps: a first pass on a scratch image measures it.
    scratch = Image.new("RGB", (WIDTH, 1), "white")
    height = _paint(scratch, _Pen(scratch, font_path, face), credential, status, verification_url)
    image = Image.new("RGB", (WIDTH, height), "white")
    _paint(image, _Pen(image, font_path, face), credential, status, verification_url)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
