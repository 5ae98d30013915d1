"""The portal's message catalogue: one template set, Chinese by default and English with ?lang=en."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["zh", "en"]

MESSAGES: dict[str, tuple[str, str]] = {
    "site.name": ("零碳 · 大型活动碳中和信息公开", "Lingtan · Carbon-neutral events disclosure"),
    "nav.home": ("首页", "Home"),
    "nav.events": ("活动", "Events"),
    "nav.verify": ("证书验证", "Verify a certificate"),
    "nav.policies": ("政策与公告", "Policies and notices"),
    "nav.switch": ("English", "中文"),
    "home.title": ("大型活动碳中和信息公开", "Carbon neutrality of large events, disclosed"),
    "home.lead": (
        "活动的排放核算、碳信用注销与碳中和证明书，向公众公开，可追溯、可验证。",
        "Events' accounted emissions, credit cancellations and neutrality certificates, open to everyone, "
        "traceable and verifiable.",
    ),
    "stats.events_disclosed": ("公开活动", "Events disclosed"),
    "stats.events_neutralized": ("已实现碳中和", "Events neutralized"),
    "stats.retired_total": ("累计注销（吨 CO₂e）", "Retired in total (t CO₂e)"),
    "stats.certificates_revoked": ("已撤销证书", "Certificates revoked"),
    "stats.by_unit_type": ("按信用类型", "By unit type"),
    "stats.by_province": ("按项目所在省份", "By project province"),
    "stats.by_month": ("按月份", "By month"),
    "stats.column.unit_type": ("信用类型", "Unit type"),
    "stats.column.province": ("省份", "Province"),
    "stats.column.month": ("月份", "Month"),
    "stats.none": ("暂无注销记录。", "No retirements yet."),
    "opendata.title": ("开放数据", "Open data"),
    "opendata.lead": ("与接口相同的数据，可下载 CSV 或 JSON：", "The same data as the API, as CSV or JSON:"),
    "dataset.events": ("活动", "Events"),
    "dataset.retirements": ("注销记录", "Retirements and cancellations"),
    "dataset.certificates": ("证书", "Certificates"),
    "events.title": ("活动", "Events"),
    "events.search": ("搜索", "Search"),
    "events.q": ("名称或主办方", "Name or organizer"),
    "events.any": ("全部", "Any"),
    "events.from": ("起始日期", "From"),
    "events.to": ("截止日期", "To"),
    "events.none": ("没有符合条件的活动。", "No event matches."),
    "events.retired": ("已注销", "Retired"),
    "events.next": ("下一页", "Next page"),
    "events.bad_date": ("日期格式应为 YYYY-MM-DD，已忽略。", "Dates are YYYY-MM-DD; the filter was ignored."),
    "field.jurisdiction": ("地区", "Jurisdiction"),
    "field.kind": ("类型", "Kind"),
    "field.status": ("状态", "Status"),
    "field.name": ("名称", "Name"),
    "field.organizers": ("主办方", "Organizers"),
    "field.host_type": ("主办性质", "Host"),
    "field.venue": ("地点", "Venue"),
    "field.dates": ("日期", "Dates"),
    "field.scale": ("规模（预计 / 实际人数）", "Scale (expected / actual participants)"),
    "field.boundary": ("核算边界", "Accounting boundary"),
    "field.reduction_measures": ("减排措施", "Reduction measures"),
    "field.accounted_emissions": ("核算排放量", "Accounted emissions"),
    "field.offset_method": ("抵消方式", "Offset method"),
    "field.neutrality_date": ("实现碳中和日期", "Neutrality date"),
    "field.neutrality_deadline": ("碳中和期限", "Neutrality deadline"),
    "field.confirmation_method": ("确认方式", "Confirmation method"),
    "field.certificate": ("碳中和证明书", "Certificate"),
    "field.offsets": ("碳信用注销（按类型）", "Offsets by unit type"),
    "field.total": ("合计", "Total"),
    "field.planned": ("计划", "Planned"),
    "field.used": ("已使用", "Used"),
    "field.included": ("纳入", "included"),
    "field.excluded": ("未纳入", "excluded"),
    "field.expected": ("预计减排", "expected"),
    "plan.late": (
        "碳中和实施计划于活动开始后制定（迟交）。",
        "The implementation plan was made after the event started (late).",
    ),
    "band.title": ("参与规模档位变更", "Change of participant band"),
    "band.lead": (
        "实际参与人数确定了活动适用的档位，碳中和结果的确认方式随之确定：",
        "The actual number of participants decided the event's band, and with it how neutrality is confirmed:",
    ),
    "band.participants": ("实际参与人数", "Actual participants"),
    "offsets.unit_type": ("信用类型", "Unit type"),
    "offsets.tonnes": ("吨 CO₂e", "t CO₂e"),
    "offsets.records": ("笔数", "Records"),
    "offsets.priority": ("推荐优先级", "Priority tier"),
    "offsets.none": ("尚无注销记录。", "Nothing retired yet."),
    "chart.title": ("排放构成（按排放源）", "Emissions by source type"),
    "chart.desc": ("各排放源的核算排放量，单位：吨 CO₂e。", "Accounted emissions of each source type, in t CO₂e."),
    "chart.unit": ("吨", "t"),
    "records.title": ("注销与外部注销记录", "Retirements and external cancellations"),
    "records.serials": ("序列号", "Serials"),
    "records.log_index": ("日志序号", "Log index"),
    "records.registry": ("登记簿", "Registry"),
    "records.date": ("日期", "Date"),
    "records.all": ("全部记录（JSON）", "Every record (JSON)"),
    "records.kind": ("类别", "Kind"),
    "cert.none": ("尚未颁发证明书。", "No certificate issued yet."),
    "cert.verify": ("验证此证书", "Verify this certificate"),
    "cert.issued_at": ("颁发时间", "Issued"),
    "cert.revoked_at": ("撤销时间", "Revoked"),
    "cert.reason": ("撤销原因", "Reason"),
    "verify.title": ("证书验证", "Certificate verification"),
    "verify.lead": (
        "输入证书编号（或扫描证书上的二维码），核对签名与当前状态。",
        "Enter a certificate id (or scan the certificate's QR code) to check its signature and status.",
    ),
    "verify.id": ("证书编号", "Certificate id"),
    "verify.submit": ("验证", "Verify"),
    "verify.state.valid": (
        "有效：签名正确，证书未被撤销。",
        "Valid: the signature verifies and the certificate stands.",
    ),
    "verify.state.revoked": ("已撤销：该证书已被撤销，不再有效。", "Revoked: this certificate has been revoked."),
    "verify.state.signature_invalid": (
        "签名无效：证书内容可能被伪造或篡改。",
        "Signature invalid: the certificate may be forged or altered.",
    ),
    "verify.state.not_found": (
        "未找到：没有公开此编号的证书。",
        "Not found: no certificate with this id is disclosed.",
    ),
    "verify.state.unverifiable": (
        "暂时无法验证：无法获取签发机构的公钥，请稍后再试。",
        "Cannot verify now: the issuer's keys could not be fetched; try again shortly.",
    ),
    "verify.signature": ("签名", "Signature"),
    "verify.signature.valid": ("已用签发机构公布的公钥验证", "verified with the issuer's published key"),
    "verify.signature.invalid": ("验证失败", "does not verify"),
    "verify.signature.unchecked": ("未能检查", "not checked"),
    "verify.key": ("密钥编号", "Key id"),
    "verify.event": ("活动", "Event"),
    "verify.issuer": ("签发机构", "Issuer"),
    "policies.title": ("政策与公告", "Policies and notices"),
    "policies.none": ("暂无发布的文件。", "Nothing published yet."),
    "policies.version": ("版本", "Version"),
    "policies.versions": ("历史版本", "All versions"),
    "policies.effective": ("生效日期", "Effective"),
    "policies.published": ("发布时间", "Published"),
    "policies.read": ("阅读全文", "Read"),
    "kind.policy": ("政策", "Policy"),
    "kind.notice": ("公告", "Notice"),
    "status.planned": ("筹备中", "Planned"),
    "status.held": ("已举办", "Held"),
    "status.accounted": ("已核算", "Accounted"),
    "status.certified": ("已认证碳中和", "Certified neutral"),
    "status.revoked": ("已撤销", "Revoked"),
    "status.valid": ("有效", "Valid"),
    "event_kind.conference": ("会议", "Conference"),
    "event_kind.performance": ("演出", "Performance"),
    "event_kind.forum": ("论坛", "Forum"),
    "event_kind.sports": ("体育赛事", "Sports event"),
    "event_kind.exhibition": ("展览", "Exhibition"),
    "event_kind.festival": ("节庆", "Festival"),
    "record.retirement": ("平台注销", "Retirement"),
    "record.donation": ("捐赠注销", "Donation"),
    "record.external_cancellation": ("外部登记簿注销", "External cancellation"),
    "claim.claimed": ("已声明，待确认", "claimed, not yet confirmed"),
    "claim.confirmed": ("已确认", "confirmed"),
    "claim.rejected": ("已驳回，不计入", "rejected, not counted"),
    "claim.voided": ("已作废，不计入", "voided, not counted"),
    "records.claim": ("声明状态", "Claim"),
    "records.cancelled_on": ("注销日期", "Cancelled on"),
    "records.decision": ("决定理由", "Reason given"),
    "donor.person": ("个人捐赠", "donated by a person"),
    "donor.organization": ("机构捐赠", "donated by an organization"),
    "confirmation.self_commitment": ("自我承诺", "Self-commitment"),
    "confirmation.third_party": ("第三方评价", "Third-party evaluation"),
    "source.travel": ("交通出行", "Travel"),
    "source.accommodation": ("住宿", "Accommodation"),
    "source.catering": ("餐饮", "Catering"),
    "source.venue_energy": ("场馆能源", "Venue energy"),
    "source.electricity": ("电力", "Electricity"),
    "source.materials": ("物料", "Materials"),
    "source.waste": ("废弃物", "Waste"),
    "host.government": ("政府主办", "Government-hosted"),
    "host.non_government": ("非政府主办", "Non-government"),
    "error.not_found": ("没有找到该活动。", "No such event is disclosed."),
    "footer": (
        "数据来自核算、登记与认证服务的通知；个人捐赠者身份不公开。",
        "Data from the accounting, registry and certification services; personal donors are never named.",
    ),
}

PROVINCES: dict[str, tuple[str, str]] = {
    "CN": ("全国", "National"),
    "CN-AH": ("安徽", "Anhui"), "CN-BJ": ("北京", "Beijing"), "CN-CQ": ("重庆", "Chongqing"),
    "CN-FJ": ("福建", "Fujian"), "CN-GD": ("广东", "Guangdong"), "CN-GS": ("甘肃", "Gansu"),
    "CN-GX": ("广西", "Guangxi"), "CN-GZ": ("贵州", "Guizhou"), "CN-HA": ("河南", "Henan"),
    "CN-HB": ("湖北", "Hubei"), "CN-HE": ("河北", "Hebei"), "CN-HI": ("海南", "Hainan"),
    "CN-HK": ("香港", "Hong Kong"), "CN-HL": ("黑龙江", "Heilongjiang"), "CN-HN": ("湖南", "Hunan"),
    "CN-JL": ("吉林", "Jilin"), "CN-JS": ("江苏", "Jiangsu"), "CN-JX": ("江西", "Jiangxi"),
    "CN-LN": ("辽宁", "Liaoning"), "CN-MO": ("澳门", "Macao"), "CN-NM": ("内蒙古", "Inner Mongolia"),
    "CN-NX": ("宁夏", "Ningxia"), "CN-QH": ("青海", "Qinghai"), "CN-SC": ("四川", "Sichuan"),
    "CN-SD": ("山东", "Shandong"), "CN-SH": ("上海", "Shanghai"), "CN-SN": ("陕西", "Shaanxi"),
    "CN-SX": ("山西", "Shanxi"), "CN-TJ": ("天津", "Tianjin"), "CN-TW": ("台湾", "Taiwan"),
    "CN-XJ": ("新疆", "Xinjiang"), "CN-XZ": ("西藏", "Xizang"), "CN-YN": ("云南", "Yunnan"),
    "CN-ZJ": ("浙江", "Zhejiang"), "unknown": ("未注明", "Not given"),
}


def language(value: str | None) -> Language:
    """The page language: English only when asked for."""
    return "en" if value == "en" else "zh"


@dataclass(frozen=True)
class Catalogue:
    """Messages and labels in one language."""

    lang: Language

    def t(self, key: str) -> str:
        """A message; an unknown key shows itself so a missing entry is visible, never fatal."""
        pair = MESSAGES.get(key)
        return key if pair is None else pair[0 if self.lang == "zh" else 1]

    def label(self, group: str, value: str | None) -> str:
        """A vocabulary value's label (status, kind, ...), or the value itself when the catalogue lacks it."""
        if value is None:
            return ""
        pair = MESSAGES.get(f"{group}.{value}")
        return value if pair is None else pair[0 if self.lang == "zh" else 1]

    def province(self, code: str | None) -> str:
        """A province's name for an ISO 3166-2 code."""
        if code is None:
            return ""
        pair = PROVINCES.get(code)
        return code if pair is None else pair[0 if self.lang == "zh" else 1]
