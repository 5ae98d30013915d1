"""The public event API: exactly the profile's fields, filters, pagination, strict queries and caching."""

from __future__ import annotations

import base64

from tests.disclosure.disclosure_samples import (
    cancellation,
    certificate,
    donation,
    hainan_event,
    note,
    retirement,
    revoked,
    shandong_forum,
    unique,
)

ALWAYS = {"id", "jurisdiction", "status", "offsets", "certificate", "late_plan", "band_changes"}
PRIVATE_WORDS = ("evidence", "private", "张三", "13800000000", "activity_lines", '"owner"', "from_account")


def _seed_two_provinces(disclosure):
    hainan, shandong = unique("evt"), unique("evt")
    disclosure.deliver(
        note("event.updated", hainan_event(hainan), seq=1),
        note("event.updated", shandong_forum(shandong), seq=2),
        note("retirement.recorded", retirement(unique("ret"), hainan, 220_000_000), seq=3),
        note("retirement.recorded", donation(unique("don"), hainan, 1_500), seq=4),
        note("cancellation.recorded", cancellation(unique("xc"), hainan, 1_228_500_500_000), seq=5),
        note("certificate.updated", certificate(unique("cert"), hainan), seq=6),
    )
    return hainan, shandong


def test_a_hainan_event_shows_exactly_the_hainan_fields(disclosure):
    hainan, _ = _seed_two_provinces(disclosure)
    body = disclosure.get(f"/v1/events/{hainan}").json()
    assert set(body) == ALWAYS | {"name", "organizers", "starts_at", "ends_at", "accounted_emissions", "offset_method"}
    assert body["accounted_emissions"]["total_kgco2e"] == "1448500.500"
    assert body["accounted_emissions"]["by_source_type"]["travel"] == "1100000.250"
    assert body["offset_method"]["planned"] == [
        {"unit_type": "HNBLUE", "quantity_g": 220_000_000, "tonnes": "220.000000"}
    ]
    assert body["offset_method"]["used_unit_types"] == ["CCER", "HNBLUE", "PCI"]
    assert body["certificate"]["status"] == "valid"


def test_a_shandong_self_commitment_event_shows_its_own_fields(disclosure):
    _, shandong = _seed_two_provinces(disclosure)
    body = disclosure.get(f"/v1/events/{shandong}").json()
    assert set(body) == ALWAYS | {
        "name",
        "organizers",
        "expected_participants",
        "actual_participants",
        "starts_at",
        "ends_at",
        "boundary",
        "accounted_emissions",
        "offset_method",
        "neutrality_date",
        "confirmation_method",
    }
    assert (body["expected_participants"], body["actual_participants"]) == (320, 311)
    assert body["confirmation_method"] == "self_commitment"
    assert [b["source_type"] for b in body["boundary"]] == ["electricity", "travel"]
    assert body["neutrality_date"] is None  # nothing retired yet
    assert body["certificate"] is None
    assert body["offsets"] == {"total_g": 0, "total_tonnes": "0.000000", "by_unit_type": []}


def test_hainan_does_not_disclose_what_only_shandong_asks_for(disclosure):
    hainan, _ = _seed_two_provinces(disclosure)
    body = disclosure.get(f"/v1/events/{hainan}").json()
    for undisclosed in ("expected_participants", "boundary", "venue", "confirmation_method", "reduction_measures"):
        assert undisclosed not in body


def test_no_private_field_appears_anywhere_in_the_public_api(disclosure):
    hainan, shandong = _seed_two_provinces(disclosure)
    pages = [
        disclosure.get(f"/v1/events/{hainan}").text,
        disclosure.get(f"/v1/events/{shandong}").text,
        disclosure.get("/v1/events").text,
        disclosure.get("/v1/retirements", params={"event_id": hainan}).text,
    ]
    for page in pages:
        for word in PRIVATE_WORDS:
            assert word not in page
        assert "ab" * 32 not in page and "cd" * 32 not in page


def test_offsets_by_unit_type_carry_the_policy_priority(disclosure):
    hainan, _ = _seed_two_provinces(disclosure)
    offsets = disclosure.get(f"/v1/events/{hainan}").json()["offsets"]
    by_type = {o["unit_type"]: o for o in offsets["by_unit_type"]}
    assert {k: (v["quantity_g"], v["priority_tier"]) for k, v in by_type.items()} == {
        "CCER": (1_228_500_500_000, 3),
        "HNBLUE": (220_000_000, 1),
        "PCI": (1_500, 1),
    }
    assert offsets["total_g"] == 1_228_500_500_000 + 220_000_000 + 1_500
    assert offsets["total_tonnes"] == "1228720.501500"


def test_without_a_priority_in_the_policy_there_is_no_rank(disclosure):
    event_id = unique("evt")
    disclosure.deliver(
        note("event.updated", shandong_forum(event_id), seq=1),
        note("retirement.recorded", retirement(unique("ret"), event_id, 25_000_000, "SDFOREST", "CN-SD"), seq=2),
    )
    (offset,) = disclosure.get(f"/v1/events/{event_id}").json()["offsets"]["by_unit_type"]
    assert offset["priority_tier"] is None
    assert disclosure.get(f"/v1/events/{event_id}").json()["neutrality_date"] == "2026-05-30"


def test_certificate_status_on_the_event_turns_revoked(disclosure):
    event_id, cert_id = unique("evt"), unique("cert")
    issued = certificate(cert_id, event_id)
    disclosure.deliver(note("event.updated", hainan_event(event_id), seq=1), note("certificate.updated", issued, seq=2))
    disclosure.deliver(note("certificate.updated", revoked(issued), seq=3))
    brief = disclosure.get(f"/v1/events/{event_id}").json()["certificate"]
    assert (brief["id"], brief["status"]) == (cert_id, "revoked")
    summary = disclosure.get("/v1/events", params={"q": "博览会"}).json()["items"][0]
    assert summary["certificate_status"] == "revoked"


def test_filters_narrow_the_list(disclosure):
    hainan, shandong = _seed_two_provinces(disclosure)

    def ids(**params):
        return [e["id"] for e in disclosure.get("/v1/events", params=params).json()["items"]]

    assert ids() == [shandong, hainan]  # newest first
    assert ids(jurisdiction="CN-SD") == [shandong]
    assert ids(kind="exhibition") == [hainan]
    assert ids(status="accounted") == [shandong, hainan]
    assert ids(status="certified") == []
    assert ids(q="green industry") == [shandong]
    assert ids(q="济南会展") == [shandong]  # an organizer
    assert ids(q="100%") == []  # wildcards are literal
    assert ids(**{"from": "2026-04-16", "to": "2026-04-16"}) == [hainan]
    assert ids(**{"from": "2026-04-17"}) == [shandong]


def test_cursor_pagination_walks_every_event_once(disclosure):
    created = [unique("evt") for _ in range(5)]
    disclosure.deliver(
        *[
            note("event.updated", hainan_event(e, starts_at="2026-03-01", ends_at="2026-03-02"), seq=i)
            for i, e in enumerate(created, start=1)
        ]
    )
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = disclosure.get("/v1/events", params=params).json()
        seen += [e["id"] for e in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(created, reverse=True)


def test_a_tampered_cursor_is_a_400_problem(disclosure):
    disclosure.deliver(*[note("event.updated", hainan_event(unique("evt")), seq=i) for i in range(1, 4)])
    cursor = disclosure.get("/v1/events", params={"limit": 1}).json()["next_cursor"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-3] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    response = disclosure.get("/v1/events", params={"cursor": tampered})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/bad-request")
    # A cursor of another list is not accepted either.
    retirement_cursor = disclosure.get("/v1/retirements", params={"cursor": cursor})
    assert retirement_cursor.status_code == 400


def test_unknown_or_repeated_query_parameters_are_refused(disclosure):
    for path in ("/v1/events", "/v1/retirements", "/v1/stats", "/v1/policies", "/v1/events/x", "/v1/certificates/x"):
        response = disclosure.get(path, params={"jurisdictoin": "CN-HI"})
        assert response.status_code == 400, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["unknown"] == ["jurisdictoin"]
    repeated = disclosure.get("/v1/events?status=held&status=certified")
    assert repeated.status_code == 400
    assert repeated.json()["repeated"] == ["status"]
    assert disclosure.get("/v1/events", params={"from": "2026-01-01"}).status_code == 200


def test_etag_answers_304_until_the_event_changes(disclosure):
    event_id = unique("evt")
    disclosure.deliver(note("event.updated", hainan_event(event_id), seq=1))
    first = disclosure.get(f"/v1/events/{event_id}")
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert first.headers["cache-control"].startswith("public, max-age=")
    unchanged = disclosure.get(f"/v1/events/{event_id}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    disclosure.deliver(note("event.updated", hainan_event(event_id, status="certified"), seq=2))
    changed = disclosure.get(f"/v1/events/{event_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    listed = disclosure.get("/v1/events")
    assert disclosure.get("/v1/events", headers={"If-None-Match": listed.headers["etag"]}).status_code == 304


def test_an_unknown_event_is_a_404_problem(disclosure):
    response = disclosure.get("/v1/events/evt_missing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_the_openapi_document_describes_every_public_response(disclosure):
    document = disclosure.get("/openapi.json").json()
    for path in (
        "/v1/events",
        "/v1/events/{event_id}",
        "/v1/retirements",
        "/v1/certificates/{certificate_id}",
        "/v1/stats",
        "/v1/policies",
    ):
        schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in schema, path
    detail = document["components"]["schemas"]["EventDetail"]["properties"]
    assert {"accounted_emissions", "offsets", "certificate", "neutrality_date"} <= set(detail)
