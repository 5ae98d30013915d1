"""The portal: server-rendered pages in Chinese and English, the SVG chart, verification states, links."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from services.disclosure.audit.service import Origin
from services.disclosure.policies import service as policies
from services.disclosure.policies.schemas import PolicyIn
from shared import jws
from shared.auth.tokens import Principal
from tests.disclosure.certificates.test_disclosure_verification import sign
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


class Page(HTMLParser):
    """What a reader (or a screen reader) finds on a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._stack: list[str] = []
        self.texts_in: dict[str, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._stack.append(tag)

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop() != tag:
            pass

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())
            for tag in self._stack:
                self.texts_in.setdefault(tag, []).append(data.strip())

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    @property
    def words(self) -> str:
        return " ".join(self.text)


def _seed(disclosure, **event_changes):
    event_id, cert_id = unique("evt"), unique("cert")
    key = jws.generate_key()
    disclosure.jwks = {"keys": [jws.public_jwk(key)]}
    disclosure.deliver(
        note("event.updated", hainan_event(event_id, **event_changes), seq=1),
        note("retirement.recorded", retirement(unique("ret"), event_id, 220_000_000), seq=2),
        note("retirement.recorded", donation(unique("don"), event_id, 1_500), seq=3),
        note("cancellation.recorded", cancellation(unique("xc"), event_id, 1_228_280_499_500), seq=4),
        note("certificate.updated", certificate(cert_id, event_id, jws=sign(key, event_id)), seq=5),
    )
    return event_id, cert_id, key


def _html(disclosure, path, **params):
    response = disclosure.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


def test_home_shows_the_statistics_in_chinese_by_default_and_english_on_request(disclosure):
    _seed(disclosure)
    zh = Page(_html(disclosure, "/"))
    assert zh.all("html")[0]["lang"] == "zh-CN"
    assert zh.all("meta", name="viewport")
    assert "已实现碳中和" in zh.words and "按信用类型" in zh.words
    assert "1,228,500.501" in zh.words  # 220 t + 1.5 kg + 1,228,280.4995 t, exactly
    en = Page(_html(disclosure, "/", lang="en"))
    assert en.all("html")[0]["lang"] == "en"
    assert "Events neutralized" in en.words and "By unit type" in en.words
    assert "1,228,500.501" in en.words
    assert not zh.all("script") and not en.all("script")
    # Links keep the language; the switch leads to the other one.
    hrefs = [a["href"] for a in en.all("a")]
    assert "/events?lang=en" in hrefs and "/" in hrefs


def test_event_search_finds_the_event_and_links_to_it(disclosure):
    event_id, _, _ = _seed(disclosure)
    page = Page(
        _html(disclosure, "/events", q="消费品", jurisdiction="CN-HI", kind="", status="", **{"from": "", "to": ""})
    )
    assert f"/events/{event_id}" in [a["href"] for a in page.all("a")]
    assert page.all("form", role="search")
    assert "selected" in page.all("option", value="CN-HI")[0]
    nothing = Page(_html(disclosure, "/events", q="no such event"))
    assert "没有符合条件的活动。" in nothing.words
    bad = Page(_html(disclosure, "/events", lang="en", **{"from": "31/12/2026"}))
    assert "Dates are YYYY-MM-DD; the filter was ignored." in bad.words


def test_the_event_page_draws_the_emissions_chart_with_its_values(disclosure):
    event_id, cert_id, _ = _seed(disclosure)
    html = _html(disclosure, f"/events/{event_id}", lang="en")
    page = Page(html)
    (svg,) = page.all("svg")
    assert svg["role"] == "img" and svg["aria-labelledby"] == "chart-title chart-desc"
    assert page.texts_in["title"][-1] == "Emissions by source type"
    bars = {g["data-source-type"] for g in page.all("g", **{"class": "bar"})}
    assert bars == {"travel", "accommodation", "catering", "waste"}
    values = page.texts_in["svg"]
    # Bars in decreasing order, each with its exact value in tonnes as text.
    assert [v for v in values if v.endswith(" t")] == ["1,100.00025 t", "210.000 t", "98.50025 t", "40.000 t"]
    widths = [float(r["width"]) for r in page.all("rect")]
    assert widths[0] == 400.0 and widths == sorted(widths, reverse=True)
    assert abs(widths[1] - 400 * 210 / 1100.00025) < 0.1
    assert "1,448.5005" in page.words  # the accounted total
    # Offsets by unit type with the Hainan priority tier.
    rows = re.findall(
        r"<tr><td>(\w+)</td><td class=\"num\">([\d,.]+)</td><td class=\"num\">(\d+)</td>\s*"
        r"<td class=\"num\">(\d+)</td></tr>",
        html,
    )
    assert rows == [("CCER", "1,228,280.4995", "1", "3"), ("HNBLUE", "220.000", "1", "1"), ("PCI", "0.0015", "1", "1")]
    assert "Valid" in page.words and f"/verify?id={cert_id}&lang=en" in [a["href"] for a in page.all("a")]
    assert "donated by a person" in page.words and "张三" not in html


def test_the_event_page_only_shows_what_the_profile_discloses(disclosure):
    event_id, _, _ = _seed(disclosure)
    page = Page(_html(disclosure, f"/events/{event_id}"))
    assert "主办方" in page.words and "核算排放量" in page.words
    for undisclosed in ("海南国际会展中心", "30000", "28000", "100% green electricity"):
        assert undisclosed not in page.words


def test_without_accounted_emissions_in_the_profile_there_is_no_chart(disclosure):
    event_id, _, _ = _seed(disclosure, policy={**hainan_event("x")["policy"], "disclosure_fields": ["name"]})
    page = Page(_html(disclosure, f"/events/{event_id}"))
    assert not page.all("svg")
    assert "推荐优先级" in page.words  # the priority still ranks the offsets


def test_everything_shown_is_escaped(disclosure):
    event_id, _, _ = _seed(disclosure, name="<script>alert(1)</script> Expo", organizers=['"><img src=x onerror=1>'])
    html = _html(disclosure, f"/events/{event_id}")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Expo" in html
    assert "<img src=x" not in html
    listing = _html(disclosure, "/events", q="expo")
    assert "<script>alert" not in listing


def test_links_follow_the_gateway_prefix(disclosure):
    event_id, cert_id, _ = _seed(disclosure)
    headers = {"X-Forwarded-Prefix": "/disclosure"}
    page = Page(disclosure.get(f"/events/{event_id}", headers=headers).text)
    hrefs = [a["href"] for a in page.all("a")] + [link["href"] for link in page.all("link")]
    assert all(h.startswith("/disclosure/") or h == "/disclosure" for h in hrefs if h and h.startswith("/")), hrefs
    assert f"/disclosure/verify?id={cert_id}" in hrefs
    assert "/disclosure/assets/portal.css" in hrefs
    hostile = Page(disclosure.get("/", headers={"X-Forwarded-Prefix": '/x"><script>'}).text)
    assert "/assets/portal.css" in [link["href"] for link in hostile.all("link")]


def test_verification_page_states(disclosure):
    event_id, cert_id, key = _seed(disclosure)
    valid = Page(_html(disclosure, "/verify", id=cert_id))
    assert valid.all("p", **{"data-state": "valid"}) and "有效：签名正确，证书未被撤销。" in valid.words

    revoked_id = unique("cert")
    record = certificate(revoked_id, event_id, jws=sign(key, event_id))
    disclosure.deliver(note("certificate.updated", revoked(record), seq=9))
    page = Page(_html(disclosure, "/verify", id=revoked_id, lang="en"))
    assert page.all("p", **{"data-state": "revoked"})
    assert "Revoked: this certificate has been revoked." in page.words
    assert "CCER cancellation already claimed elsewhere" in page.words

    forged_id = unique("cert")
    forged = certificate(forged_id, event_id, jws=sign(jws.generate_key(), event_id))
    disclosure.deliver(note("certificate.updated", forged, seq=10))
    page = Page(_html(disclosure, f"/certificates/{forged_id}", lang="en"))
    assert page.all("p", **{"data-state": "signature_invalid"})
    assert "Signature invalid: the certificate may be forged or altered." in page.words

    missing = disclosure.get("/verify", params={"id": "cert_never_issued"})
    assert missing.status_code == 404
    assert Page(missing.text).all("p", **{"data-state": "not_found"})
    empty = Page(_html(disclosure, "/verify"))
    assert empty.all("input", name="id") and not empty.all("section")


def test_policies_page_lists_documents_and_versions(disclosure):
    regulator = Principal("lt_dee", "org:hainan-dee", frozenset({"policy:write"}), "test", "jti", {})
    draft = PolicyIn(
        slug="hainan-guide",
        title_zh="海南指南",
        title_en="Hainan guide",
        kind="policy",
        jurisdiction="CN-HI",
        body="第一条\n第二条 <b>",
        effective_date="2026-01-01",
    )
    with disclosure.database.writes() as session, session.begin():
        policies.publish(session, draft, regulator, Origin("127.0.0.1", None))
        policies.publish(session, draft.model_copy(update={"body": "修订版"}), regulator, Origin("127.0.0.1", None))
    zh = Page(_html(disclosure, "/policies"))
    assert "海南指南" in zh.words and "修订版" in zh.words and "第一条" not in zh.words
    en = Page(_html(disclosure, "/policies", lang="en", slug="hainan-guide"))
    assert "Hainan guide" in en.words and "第二条 <b>" in en.words
    assert disclosure.get("/policies", params={"slug": "nothing-here"}).status_code == 404


def test_portal_pages_are_cacheable_and_refuse_unknown_parameters(disclosure):
    first = disclosure.get("/events")
    assert first.headers["cache-control"].startswith("public")
    assert "script-src" not in first.headers["content-security-policy"]  # default-src 'none': no scripts at all
    assert disclosure.get("/events", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert disclosure.get("/events", params={"utm": "x"}).status_code == 400
    assert disclosure.get("/events/evt_unknown").status_code == 404
    css = disclosure.get("/assets/portal.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8" and "@media" in css.text
