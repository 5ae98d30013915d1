"""`lingtan serve --demo` leaves a living portal: three events, three certificates, one revoked."""

import time

import httpx

from lingtan.demo import fill


def _eventually(read, done, seconds=30.0):
    deadline = time.monotonic() + seconds
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value


def test_demo_fills_an_empty_platform_once(fresh_platform):
    platform = fresh_platform
    certificates = fill(platform.settings, platform.url)
    assert len(certificates) == 3
    statuses = {c: httpx.get(f"{platform.url}/certification/v1/certificates/{c}").json()["status"]
                for c in certificates}
    assert sorted(statuses.values()) == ["revoked", "valid", "valid"]

    events = _eventually(lambda: httpx.get(f"{platform.url}/disclosure/v1/events").json()["items"],
                         lambda items: len(items) == 3)
    assert {e["jurisdiction"] for e in events} == {"CN-HI", "CN-SD"}
    revoked = next(c for c, s in statuses.items() if s == "revoked")
    public = _eventually(lambda: httpx.get(f"{platform.url}/disclosure/v1/certificates/{revoked}"),
                         lambda r: r.status_code == 200 and r.json()["status"] == "revoked")
    assert public.json()["status"] == "revoked"
    page = httpx.get(f"{platform.url}/disclosure/verify", params={"id": revoked})
    assert page.status_code == 200 and revoked in page.text

    assert fill(platform.settings, platform.url) == []
