"""`lingtan serve --demo`: fill an empty platform through its public API with a few realistic events.

A Hainan exhibition offset with green power, a key emitter's donated mangrove carbon-inclusion
credits, citizens' donations and Hainan CCER; a Shandong marathon offset with a new forestry sink,
runners' donations and national allowances; a Shandong forum whose certificate a random audit
revokes. Every step goes through the gateway with the token of the actor who would take it, so the
demo is also a worked example of the API (figures illustrative, after SCENARIOS.md).
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import uvicorn

from lingtan.platform import open_database
from services.gateway.clients.service import create_client
from services.gateway.settings import GatewaySettings

log = logging.getLogger("lingtan.demo")
TONNE = 1_000_000  # grams
ORGANIZER = "events:read events:write registry:read registry:transfer registry:retire certification:apply"
BOUNDARY = ["fixed_combustion", "mobile_combustion", "purchased_electricity", "purchased_heat", "travel",
            "accommodation", "catering", "materials", "waste", "water"]


class DemoError(RuntimeError):
    """A demo step got an answer it did not expect."""


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    if response.status_code != status:
        raise DemoError(f"{response.request.method} {response.request.url.path}: {response.status_code} "
                        f"{response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


@dataclass
class Actor:
    """A client of the platform acting for one owner."""

    owner: str
    http: httpx.Client
    client_id: str

    def post(self, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        return _ok(self.http.post(path, json=body), status)

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return _ok(self.http.put(path, json=body))

    def account(self, kind: str, name: str) -> str:
        return str(self.post("/registry/v1/accounts", {"owner": self.owner, "kind": kind, "name": name})["id"])


class Demo:
    """The actors of the demo, registered straight in the gateway's database as an operator would."""

    def __init__(self, settings: GatewaySettings, base_url: str) -> None:
        self.settings = settings
        self.base_url = base_url
        self.clients: list[httpx.Client] = []

    def actor(self, owner: str, scopes: str, name: str) -> Actor:
        database = open_database("gateway", self.settings)
        try:
            with database.writes() as session, session.begin():
                new = create_client(session, name=name, owner=owner, scopes=scopes.split())
        finally:
            database.dispose()
        token = _ok(httpx.post(f"{self.base_url}/oauth/token", data={"grant_type": "client_credentials"},
                               auth=(new.client_id, new.client_secret)))["access_token"]
        client = httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        self.clients.append(client)
        return Actor(owner, client, new.client_id)

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def already_filled(self) -> bool:
        events = httpx.get(f"{self.base_url}/disclosure/v1/events", params={"limit": 1}, timeout=30)
        return events.status_code == 200 and bool(events.json().get("items"))


def _event(organizer: Actor, name: str, organizers: list[str], kind: str, jurisdiction: str, host_type: str,
           venue: str, ended_days_ago: int, days: int, participants: int, accepts_donations: bool = False) -> str:
    ends = date.today() - timedelta(days=ended_days_ago)
    event_id = str(organizer.post("/accounting/v1/events", {
        "name": name, "organizers": organizers, "kind": kind, "jurisdiction": jurisdiction,
        "host_type": host_type, "venue": venue, "starts_at": (ends - timedelta(days=days - 1)).isoformat(),
        "ends_at": ends.isoformat(), "expected_participants": participants,
        "accepts_donations": accepts_donations})["id"])
    # The registry learns of the event through accounting's outbox; records for it wait until it has.
    for _ in range(300):
        if organizer.http.get(f"/registry/v1/events/{event_id}").status_code == 200:
            return event_id
        threading.Event().wait(0.05)
    raise DemoError(f"the registry did not learn of event {event_id}")


def _line(category: str, quantity: str, unit: str, factor_id: str, phase: str = "holding",
          **extra: Any) -> dict[str, Any]:
    return {"category": category, "quantity": quantity, "unit": unit, "factor_id": factor_id,
            "data_quality": "calculated", "phase": phase, **extra}


def _account_and_certify(organizer: Actor, event_id: str, measures: list[str], lines: list[dict[str, Any]],
                         participants: int, planned: list[dict[str, Any]]) -> dict[str, Any]:
    organizer.put(f"/accounting/v1/events/{event_id}/plan", {
        "boundary": [{"source_type": s, "included": True, "reason": "a source type of the 2019 guideline"}
                     for s in BOUNDARY],
        "reduction_measures": [{"name": m, "expected_kgco2e": "1000"} for m in measures],
        "planned_offsets": planned})
    organizer.put(f"/accounting/v1/events/{event_id}/inventory",
                  {"actual_participants": participants, "lines": lines})
    organizer.post(f"/accounting/v1/events/{event_id}/inventory/submit", {}, 200)
    return _ok(organizer.http.get(f"/accounting/v1/events/{event_id}"))


def _grams(accounted: dict[str, Any]) -> int:
    total = str(accounted["accounted"]["total_kgco2e"])
    whole, _, fraction = total.partition(".")
    return int(whole) * 1000 + int((fraction + "000")[:3]) + (1 if fraction[3:].strip("0") else 0)


def _cancel(organizer: Actor, event_id: str, registry: str, grams: int, province: str, vintage: int) -> str:
    """Claim a cancellation made in another registry, as its certificate states it; the claim's id."""
    tonnes = -(-grams // TONNE)
    series = secrets.token_hex(3).upper()
    return str(organizer.post("/registry/v1/external-cancellations", {
        "event_id": event_id, "registry": registry, "serial_from": f"{registry}-{series}-{1:08d}",
        "serial_to": f"{registry}-{series}-{tonnes:08d}", "quantity": tonnes * TONNE,
        "cancellation_ref": f"{registry}-CANCEL-{series}", "project_id": f"{province}-{series}",
        "project_province": province, "vintage": vintage, "evidence_sha256": secrets.token_hex(32),
        "cancelled_on": date.today().isoformat(), "beneficiary": organizer.owner,
        "purpose": "大型活动碳中和 carbon neutrality of the event",
        "evidence_url": f"https://registry.example.cn/cancellations/{series}.pdf"})["id"])


def fill(settings: GatewaySettings, base_url: str) -> list[str]:
    """Create the demo's events and certificates; returns the certificate ids."""
    demo = Demo(settings, base_url)
    try:
        if demo.already_filled():
            log.info("demo skipped: the platform already has events")
            return []
        operator = demo.actor("lingtan:registry-operator", "registry:admin registry:issue registry:read",
                              "Registry operator")
        issuer_hi = demo.actor("gov:hainan-pilot-zone-office", "certification:issue", "Hainan certificate issuer")
        issuer_sd = demo.actor("gov:shandong-ecology-department", "certification:issue audit:write",
                               "Shandong ecology department")
        evaluator = demo.actor("org:accredited-evaluation-body", "certification:verify registry:read registry:evaluate",
                               "Accredited body")
        auditor = demo.actor("gov:hainan-ecology-department", "audit:write", "Hainan auditor")
        certificates = [
            _hainan_expo(demo, operator, issuer_hi),
            _shandong_marathon(demo, operator, issuer_sd, evaluator),
        ]
        forum = _shandong_forum(demo, operator, issuer_sd)
        certificates.append(forum)
        for jurisdiction, who in (("CN-HI", auditor), ("CN-SD", issuer_sd)):
            round_ = who.post("/certification/v1/audits/rounds", {"jurisdiction": jurisdiction, "sample_rate": "1"})
            for certificate_id in round_["sample"]:
                failed = certificate_id == forum
                who.post(f"/certification/v1/audits/{round_['id']}/findings", {
                    "certificate_id": certificate_id, "outcome": "fail" if failed else "pass",
                    "findings": ("One CCER cancellation it counts was already claimed by another event."
                                 if failed else "Inventory, retirements and disclosure checked; compliant.")})
        return certificates
    finally:
        demo.close()


def _hainan_expo(demo: Demo, operator: Actor, issuer: Actor) -> str:
    organizer = demo.actor("gov:hainan-department-of-commerce", ORGANIZER, "Hainan Department of Commerce")
    event_id = _event(organizer, "中国国际消费品博览会 China International Consumer Products Expo",
                      ["海南省商务厅", "Hainan Provincial Department of Commerce"], "exhibition", "CN-HI",
                      "government", "海南国际会展中心 Hainan International Convention & Exhibition Center",
                      40, 4, 32_000, accepts_donations=True)
    lines = [
        _line("purchased_electricity", "1200", "MWh", "grid.cn.hainan.2022", green=True,
              green_certificates=["GEC-2026-HI-000481", "GEC-2026-HI-000482"]),
        _line("travel", "9800000", "pkm", "transport.flight.domestic.cn.2019"),
        _line("travel", "2400000", "pkm", "transport.hsr.cn.traction"),
        _line("accommodation", "11200", "room-night", "accommodation.hotel.cn.desnz-2025"),
        _line("catering", "96000", "meal", "catering.meal.proxy"),
        _line("materials", "18", "t", "material.paper.virgin.desnz-2025", phase="preparation"),
        _line("waste", "42", "t", "waste.landfill.mixed-commercial.desnz", phase="wrap_up"),
    ]
    accounted = _account_and_certify(
        organizer, event_id, ["100% green electricity with certificates", "no disposable plastics",
                              "shuttle buses powered by electricity", "clean-plate campaign"],
        lines, 31_500,
        [{"unit_type": "HNCI", "quantity_g": 220 * TONNE}, {"unit_type": "CCER", "quantity_g": 1000 * TONNE}])
    need = _grams(accounted)
    # A key emitter buys Hainan mangrove blue-carbon credits and donates them (220 t, the first deal of 2023).
    emitter = demo.actor("org:hainan-refining", "registry:read registry:transfer registry:retire", "Oil company")
    emitter_account = emitter.account("organization", "海南炼化 Hainan Refining")
    mangrove = operator.post("/registry/v1/projects", {
        "name": "海口三江红树林蓝碳 Sanjiang mangrove blue carbon", "code": "HNMG0001", "unit_type": "HNCI",
        "province": "CN-HI", "category": "ocean", "methodology": "海南省红树林碳普惠方法学", "new_sink": False})
    operator.post("/registry/v1/issuances", {"project_id": mangrove["id"], "account_id": emitter_account,
                                             "vintage": 2023, "quantity": 220 * TONNE})
    emitter.post("/registry/v1/donations", {"event_id": event_id, "from_account": emitter_account,
                                            "quantity": 220 * TONNE, "unit_type": "HNCI"})
    covered = 220 * TONNE
    citizens_project = operator.post("/registry/v1/projects", {
        "name": "海南碳普惠 绿色出行 green travel", "code": "HNGT0001", "unit_type": "HNCI", "province": "CN-HI",
        "category": "other", "methodology": "海南省绿色出行碳普惠方法学", "new_sink": False})
    for grams in (350, 1200, 860):
        citizen = demo.actor(f"person:{secrets.token_hex(4)}", "registry:read registry:retire", "Citizen app")
        account = citizen.account("person", "个人碳账户")
        operator.post("/registry/v1/issuances", {"project_id": citizens_project["id"], "account_id": account,
                                                 "vintage": 2025, "quantity": grams})
        citizen.post("/registry/v1/donations", {"event_id": event_id, "from_account": account, "quantity": grams})
        covered += grams
    if need > covered:
        _cancel(organizer, event_id, "CCER", need - covered, "CN-HI", 2022)
    return _decide(organizer, issuer, event_id, _commitment("中国国际消费品博览会", "海南省商务厅"))


def _shandong_marathon(demo: Demo, operator: Actor, issuer: Actor, evaluator: Actor) -> str:
    organizer = demo.actor("org:qingdao-athletics-association", ORGANIZER, "Qingdao Athletics Association")
    event_id = _event(organizer, "青岛马拉松 Qingdao Marathon", ["青岛市田径协会", "Qingdao Athletics Association"],
                      "sports", "CN-SD", "association", "青岛奥帆中心 Qingdao Olympic Sailing Center", 25, 1, 30_000,
                      accepts_donations=True)
    lines = [
        _line("travel", "4100000", "pkm", "transport.flight.domestic.cn.2019"),
        _line("travel", "6800000", "pkm", "transport.hsr.cn.traction"),
        _line("travel", "950000", "pkm", "transport.bus.electric.cn-sz"),
        _line("accommodation", "9000", "room-night", "accommodation.hotel.cn.desnz-2025"),
        _line("catering", "36000", "meal", "catering.meal.proxy"),
        _line("purchased_electricity", "85", "MWh", "grid.cn.shandong.2022"),
        _line("waste", "21", "t", "waste.landfill.mixed-commercial.desnz", phase="wrap_up"),
    ]
    accounted = _account_and_certify(organizer, event_id, ["electric shuttle buses", "no disposable plastics",
                                                           "reusable cups at supply stations"], lines, 29_400,
                                     [{"unit_type": "SDCI", "quantity_g": 800 * TONNE}])
    need = _grams(accounted)
    account = organizer.account("organization", "青岛市田径协会 account")
    forest = operator.post("/registry/v1/projects", {
        "name": "崂山新造林碳汇 Laoshan afforestation sink", "code": "SDLS0001", "unit_type": "SDCI",
        "province": "CN-SD", "category": "forestry", "methodology": "山东省林业碳汇方法学", "new_sink": True})
    sink = min(800 * TONNE, need)
    operator.post("/registry/v1/issuances", {"project_id": forest["id"], "account_id": account, "vintage": 2025,
                                             "quantity": sink})
    organizer.post("/registry/v1/retirements", {"event_id": event_id, "from_account": account, "quantity": sink,
                                                "unit_type": "SDCI", "beneficiary": "青岛马拉松",
                                                "reason": "碳中和 carbon neutrality of the event"})
    covered = sink
    runners = operator.post("/registry/v1/projects", {
        "name": "山东碳普惠 低碳出行 low-carbon travel", "code": "SDLC0001", "unit_type": "SDCI",
        "province": "CN-SD", "category": "other", "methodology": "山东省碳普惠方法学", "new_sink": False})
    for grams in (500, 420, 1800, 260):
        runner = demo.actor(f"person:{secrets.token_hex(4)}", "registry:read registry:retire", "Runner app")
        runner_account = runner.account("person", "个人碳账户")
        operator.post("/registry/v1/issuances", {"project_id": runners["id"], "account_id": runner_account,
                                                 "vintage": 2025, "quantity": grams})
        runner.post("/registry/v1/donations", {"event_id": event_id, "from_account": runner_account,
                                               "quantity": grams})
        covered += grams
    if need > covered:
        # Where a third party evaluates the event, an external claim counts once its evaluator confirms it.
        claim = _cancel(organizer, event_id, "CEA", need - covered, "CN-SD", 2023)
        organizer.post(f"/registry/v1/events/{event_id}/delegations",
                       {"client_id": evaluator.client_id, "role": "evaluate"})
        evaluator.post(f"/registry/v1/external-cancellations/{claim}/decision",
                       {"outcome": "confirmed",
                        "reason": "核对了全国碳市场注销凭证 CEA cancellation certificate checked"})
    application = organizer.post("/certification/v1/applications",
                                 {"event_id": event_id, "confirmation": {"method": "third_party"}})
    evaluator.post(f"/certification/v1/applications/{application['id']}/verifications", {
        "body": "中环联合（北京）认证中心有限公司", "accreditation_number": "CNAS C001-M",
        "evaluators": ["王芳", "李强"], "conclusion": "confirmed", "report_sha256": secrets.token_hex(32)})
    decided = issuer.post(f"/certification/v1/applications/{application['id']}/decision",
                          {"approve": True, "reason": "Every required check passes."}, 200)
    return str(decided["certificate_id"])


def _shandong_forum(demo: Demo, operator: Actor, issuer: Actor) -> str:
    organizer = demo.actor("org:jinan-industry-forum", ORGANIZER, "Jinan industry forum")
    event_id = _event(organizer, "济南产业发展论坛 Jinan Industry Forum", ["济南市工业和信息化局"], "forum", "CN-SD",
                      "enterprise", "济南 Jinan", 60, 1, 320)
    lines = [
        _line("purchased_electricity", "6.5", "MWh", "grid.cn.shandong.2022"),
        _line("catering", "640", "meal", "catering.meal.proxy"),
        _line("travel", "96000", "pkm", "transport.hsr.cn.traction"),
        _line("materials", "0.4", "t", "material.paper.virgin.desnz-2025", phase="preparation"),
    ]
    accounted = _account_and_certify(organizer, event_id, ["double-sided printing", "no bottled water"], lines,
                                     318, [{"unit_type": "CCER", "quantity_g": 12 * TONNE}])
    _cancel(organizer, event_id, "CCER", _grams(accounted), "CN-SD", 2021)
    return _decide(organizer, issuer, event_id, _commitment("济南产业发展论坛", "济南市工业和信息化局"))


def _commitment(name: str, organizer: str) -> dict[str, Any]:
    return {"method": "self_commitment", "event_name": name, "organizers": [organizer], "scale": "as accounted",
            "dates": "as registered", "accounting_boundary": "the ten source types of the 2019 guideline",
            "accounted_emissions": "as submitted", "offset_method": "credits retired and cancelled on record",
            "neutrality_date": "before the deadline", "confirmation_method": "self-commitment"}


def _decide(organizer: Actor, issuer: Actor, event_id: str, confirmation: dict[str, Any]) -> str:
    application = organizer.post("/certification/v1/applications", {"event_id": event_id, "confirmation": confirmation})
    if not application["ready"]:
        failing = [c["id"] for c in application["checks"] if c["required"] and c["result"] == "fail"]
        raise DemoError(f"demo application for {event_id} is not ready: {failing}")
    decided = issuer.post(f"/certification/v1/applications/{application['id']}/decision",
                          {"approve": True, "reason": "Every required check passes."}, 200)
    return str(decided["certificate_id"])


def schedule_demo(settings: GatewaySettings, servers: list[uvicorn.Server]) -> None:
    """Fill the platform once every server is up, in a thread so serving is never held up."""

    def run() -> None:
        while not all(server.started for server in servers):
            if any(server.should_exit for server in servers):
                return
            threading.Event().wait(0.2)
        try:
            made = fill(settings, settings.public_url)
            if made:
                log.info("demo filled", extra={"certificates": made, "portal": f"{settings.public_url}/disclosure/"})
        except (DemoError, httpx.HTTPError) as exc:
            log.error("demo failed", extra={"error": str(exc)})

    threading.Thread(target=run, name="lingtan-demo", daemon=True).start()


__all__ = ["DemoError", "fill", "schedule_demo"]
