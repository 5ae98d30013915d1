"""What a certificate shows a reader: bilingual rows taken from the signed credential, and its QR code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal

from reportlab.graphics.barcode import qrencoder

CertificateStatus = Literal["valid", "revoked"]

TITLE_ZH = "碳中和证明书"
TITLE_EN = "Carbon Neutrality Certificate"
SCAN_ZH = "扫码验证"
SCAN_EN = "Scan to verify"
# China keeps one offset all year and no daylight saving: issue dates print in Beijing time.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8))
QUIET_ZONE_MODULES = 4
# Code points of CJK ideographs, CJK punctuation and full-width forms: text that needs a CJK font.
CJK_RANGES = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"

_CONFIRMATION = {
    "self_commitment": "自我承诺 Self-commitment",
    "third_party": "第三方评价 Third-party evaluation",
}
STATUS_TEXT: dict[CertificateStatus, str] = {"valid": "有效 Valid", "revoked": "已撤销 Revoked"}


@dataclass(frozen=True)
class Row:
    """One labelled line of the certificate; value lines are shown one under the other."""

    label_zh: str
    label_en: str
    lines: tuple[str, ...]


def tonnes(kilograms: str | Decimal) -> str:
    """Kilograms as tonnes, exactly: three decimals (the kilogram), more only if the data has them."""
    value = Decimal(kilograms).scaleb(-3).normalize()
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -3:
        value = value.quantize(Decimal("0.001"))
    return format(value, ",f")


def _offset_line(offset: Mapping[str, Any]) -> str:
    retired = len(offset.get("registryRetirements", []))
    cancelled = len(offset.get("externalCancellations", []))
    counts = []
    if retired:
        counts.append(f"平台注销 {retired} 笔 / {retired} registry retirement{'s' * (retired > 1)}")
    if cancelled:
        counts.append(f"外部注销 {cancelled} 笔 / {cancelled} external cancellation{'s' * (cancelled > 1)}")
    return f"{offset['unitType']}：{tonnes(offset['quantityKgCO2e'])} tCO2e（{'；'.join(counts)}）"


def issue_date(credential: Mapping[str, Any]) -> str:
    """The credential's validFrom as a Beijing-time calendar date."""
    moment = datetime.fromisoformat(str(credential["validFrom"]).replace("Z", "+00:00"))
    return moment.astimezone(CHINA_STANDARD_TIME).date().isoformat()


def certificate_rows(credential: Mapping[str, Any], status: CertificateStatus) -> list[Row]:
    """The rows a printed or previewed certificate shows, all read from the signed credential."""
    subject = credential["credentialSubject"]
    method = subject["confirmationMethod"]
    offsets = [_offset_line(offset) for offset in subject["offsets"]]
    offsets.append(f"合计 Total：{tonnes(subject['offsetTotalKgCO2e'])} tCO2e")
    return [
        Row("活动名称", "Event", (subject["name"],)),
        Row("主办单位", "Organizer", tuple(subject["organizers"])),
        Row("活动日期", "Dates", (f"{subject['startDate']} — {subject['endDate']}",)),
        Row("核算排放量", "Accounted emissions", (f"{tonnes(subject['accountedEmissionsKgCO2e'])} tCO2e",)),
        Row("抵消", "Offsets", tuple(offsets)),
        Row("确认方式", "Confirmation", (_CONFIRMATION.get(method, method),)),
        Row("颁发机构", "Issuer", (credential["issuer"]["name"],)),
        Row("颁发日期", "Issue date", (issue_date(credential),)),
        Row("证书编号", "Certificate ID", (credential["id"],)),
        Row("状态", "Status", (STATUS_TEXT[status],)),
    ]


def qr_modules(data: str) -> list[list[bool]]:
    """The QR code (error correction level M) for data, as rows of dark (True) modules, no quiet zone."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.make()
    return [[bool(module) for module in row] for row in code.modules]
