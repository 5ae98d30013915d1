"""A person with a phone and a person at a desk use the portal through the gateway in a real browser."""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shared import jws
from tests.disclosure.certificates.test_disclosure_verification import sign
from tests.disclosure.disclosure_platform import seed
from tests.disclosure.disclosure_samples import (
    cancellation,
    certificate,
    donation,
    hainan_event,
    note,
    retirement,
    revoked,
    unique,
)
from tests.support.running import RunningPlatform

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


ISSUER_KEY = jws.generate_key()


class _IssuerKeys(BaseHTTPRequestHandler):
    """Stands in for the certification service's published key set."""

    def do_GET(self) -> None:
        if self.path != "/.well-known/jwks.json":
            self.send_error(404)
            return
        body = json.dumps({"keys": [jws.public_jwk(ISSUER_KEY)]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def platform_with_issuer(tmp_path_factory, schema_prefix) -> Iterator[RunningPlatform]:
    """A platform whose certificate issuer keys come from a stub, so certificates can be really signed."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _IssuerKeys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    running = RunningPlatform(
        data_dir=tmp_path_factory.mktemp("browser"),
        database_url=os.environ.get("LINGTAN_TEST_DATABASE_URL"),
        schema_prefix=f"{schema_prefix}{secrets.token_hex(3)}_",
        overrides={"certification_url": f"http://127.0.0.1:{server.server_address[1]}"},
    ).start()
    yield running
    running.stop()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _seed_expo(platform) -> tuple[str, str, str]:
    marker = unique("expo")
    event_id, valid_id, revoked_id = unique("evt"), unique("cert"), unique("cert")
    old = certificate(revoked_id, event_id, jws=sign(ISSUER_KEY, event_id), issued_at="2026-06-01T02:00:00+00:00")
    seed(
        platform,
        note("event.updated", hainan_event(event_id, name=f"中国国际消费品博览会 {marker}"), seq=1),
        note("retirement.recorded", retirement(unique("ret"), event_id, 220_000_000), seq=2),
        note("retirement.recorded", donation(unique("don"), event_id, 1_500), seq=3),
        note("cancellation.recorded", cancellation(unique("xc"), event_id, 1_228_280_499_500), seq=4),
        note("certificate.updated", revoked(old), seq=5),
        note("certificate.updated", certificate(valid_id, event_id, jws=sign(ISSUER_KEY, event_id)), seq=6),
    )
    return marker, event_id, valid_id, revoked_id


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_search_an_event_see_its_chart_and_verify_a_revoked_certificate(platform_with_issuer, browser, viewport):
    platform = platform_with_issuer
    marker, event_id, valid_id, revoked_id = _seed_expo(platform)
    name = "phone" if viewport == PHONE else "desktop"
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=viewport, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()

    page.goto(f"{platform.url}/disclosure/")
    assert page.locator("h1").inner_text() == "大型活动碳中和信息公开"
    page.screenshot(path=str(ARTIFACTS / f"disclosure-home-{name}.png"), full_page=True)

    page.get_by_role("link", name="活动", exact=True).first.click()
    page.get_by_label("名称或主办方").fill(marker)
    page.get_by_role("button", name="搜索").click()
    assert f"/disclosure/events?q={marker}" in page.url
    assert page.locator(".card").count() == 1
    page.screenshot(path=str(ARTIFACTS / f"disclosure-events-{name}.png"), full_page=True)
    page.get_by_role("link", name=f"中国国际消费品博览会 {marker}").click()
    assert page.url.endswith(f"/disclosure/events/{event_id}")

    chart = page.get_by_role("img", name="排放构成（按排放源）")
    assert chart.is_visible()
    assert chart.locator("text.bar-value").all_text_contents() == [
        "1,100.00025 吨",
        "210.000 吨",
        "98.50025 吨",
        "40.000 吨",
    ]
    box = chart.bounding_box()
    assert box is not None and box["width"] <= viewport["width"]
    assert page.locator(".certificate-box .badge.big").inner_text() == "有效"
    assert page.locator("body").evaluate("b => b.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(ARTIFACTS / f"disclosure-event-{name}.png"), full_page=True)

    page.get_by_role("link", name="验证此证书").click()
    assert page.url.endswith(f"/disclosure/verify?id={valid_id}")
    assert page.get_by_role("status").locator("p.verdict-text").inner_text() == "有效：签名正确，证书未被撤销。"

    page.goto(f"{platform.url}/disclosure/verify?id={revoked_id}&lang=en")
    verdict = page.get_by_role("status")
    assert verdict.locator("p.verdict-text").inner_text() == "Revoked: this certificate has been revoked."
    assert "CCER cancellation already claimed elsewhere" in verdict.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"disclosure-verify-revoked-{name}.png"), full_page=True)
    context.close()
