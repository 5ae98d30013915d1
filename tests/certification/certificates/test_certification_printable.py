"""The printed certificate and its phone preview, read back the way a person or a phone camera would.

Needs poppler-utils and poppler-data (pdftotext, pdftoppm, pdfinfo), zbar-tools (zbarimg) and, for the
PNG preview, a CJK font such as fonts-wqy-microhei; tests that lack a tool are skipped and say which.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from services.certification.certificates.display import tonnes
from services.certification.certificates.preview import CJKFontNotFound, find_cjk_font, render_png
from services.certification.certificates.printable import PrintableError, render_pdf

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="pdftotext/pdftoppm missing: install the Debian packages poppler-utils and poppler-data",
)
needs_zbar = pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg missing: install zbar-tools")


def run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def qr_codes(png: Path) -> list[str]:
    output = run("zbarimg", "--quiet", "--raw", png)
    return output.splitlines()


@pytest.fixture
def pdf(tmp_path: Path, credential: dict[str, Any], verification_url: str) -> Path:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_pdf(credential, status="valid", verification_url=verification_url))
    return path


@pytest.fixture
def cjk_font() -> tuple[Path, int]:
    try:
        return find_cjk_font()
    except CJKFontNotFound as exc:
        pytest.skip(str(exc))


def test_the_pdf_is_one_a4_page(pdf: Path) -> None:
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo missing: install poppler-utils")
    info = run("pdfinfo", pdf)
    assert "Pages:           1" in info
    assert "595.276 x 841.89 pts (A4)" in info


@needs_poppler
def test_the_chinese_title_and_the_facts_are_real_text(pdf: Path, credential: dict[str, Any]) -> None:
    text = run("pdftotext", "-enc", "UTF-8", pdf, "-")
    flat = " ".join(text.split())
    for expected in (
        "碳中和证明书",
        "Carbon Neutrality Certificate",
        credential["credentialSubject"]["name"],
        "海南省商务厅",
        "1,448.5005 tCO2e",
        "1,228.2505 tCO2e",
        "220.250 tCO2e",
        "自我承诺",
        "2024-04-13 — 2024-04-16",
        "2024-11-05",
        credential["id"],
        "有效 Valid",
    ):
        assert expected in flat, expected


@needs_poppler
@needs_zbar
def test_the_qr_code_on_the_page_opens_the_verification_url(pdf: Path, tmp_path: Path, verification_url: str) -> None:
    run("pdftoppm", "-r", "150", "-png", "-singlefile", pdf, tmp_path / "page")
    assert qr_codes(tmp_path / "page.png") == [verification_url]


@needs_poppler
def test_a_revoked_certificate_says_so(tmp_path: Path, credential: dict[str, Any], verification_url: str) -> None:
    path = tmp_path / "revoked.pdf"
    path.write_bytes(render_pdf(credential, status="revoked", verification_url=verification_url))
    text = run("pdftotext", "-enc", "UTF-8", path, "-")
    assert "已撤销 Revoked" in text
    assert "有效 Valid" not in text


@needs_poppler
def test_markup_characters_in_names_print_as_written(tmp_path: Path, credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["name"] = "R&D <Forum> 2025 “低碳”论坛"
    path = tmp_path / "escaped.pdf"
    path.write_bytes(render_pdf(credential, status="valid", verification_url="https://x.cn/1"))
    assert "R&D <Forum> 2025 “低碳”论坛" in run("pdftotext", "-enc", "UTF-8", path, "-")


def test_content_that_cannot_fit_one_page_is_refused_not_cut(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["organizers"] = [f"主办单位 Organizer {n}" for n in range(80)]
    with pytest.raises(PrintableError):
        render_pdf(credential, status="valid", verification_url="https://x.cn/1")


@needs_zbar
def test_the_png_preview_is_phone_width_and_its_qr_code_scans(
    tmp_path: Path, credential: dict[str, Any], cjk_font: tuple[Path, int], verification_url: str
) -> None:
    png = render_png(credential, status="valid", verification_url=verification_url, font=cjk_font)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width == 750
    assert 900 < image.height < 2500
    (tmp_path / "preview.png").write_bytes(png)
    assert qr_codes(tmp_path / "preview.png") == [verification_url]


def test_the_png_preview_grows_with_long_text(credential: dict[str, Any], cjk_font: tuple[Path, int]) -> None:
    def height() -> int:
        png = render_png(credential, status="valid", verification_url="https://x.cn/1", font=cjk_font)
        return Image.open(io.BytesIO(png)).height

    short = height()
    credential["credentialSubject"]["organizers"] = [f"第{n}主办单位 Organizer number {n}" for n in range(30)]
    tall = height()
    assert tall > short + 29 * 26


def test_a_missing_cjk_font_names_the_package_to_install(tmp_path: Path) -> None:
    with pytest.raises(CJKFontNotFound, match="fonts-wqy-microhei"):
        find_cjk_font([(tmp_path / "absent.ttc", 0)])


@pytest.mark.parametrize(
    ("kilograms", "printed"),
    [
        ("1448500", "1,448.500"),
        ("1448500.000", "1,448.500"),
        ("1448500.5", "1,448.5005"),
        ("0.001", "0.000001"),
        ("0", "0.000"),
        ("123456789012345678.901", "123,456,789,012,345.678901"),
    ],
)
def test_tonnes_are_exact(kilograms: str, printed: str) -> None:
    assert tonnes(Decimal(kilograms)) == printed
