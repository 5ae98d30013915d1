"""Retirements, donations and external cancellations in one public list."""

from __future__ import annotations

from tests.disclosure.disclosure_samples import cancellation, donation, note, retirement, unique


def _seed(disclosure):
    event_id = unique("evt")
    ret_id, gift_id, xc_id = unique("ret"), unique("don"), unique("xc")
    disclosure.deliver(
        note(
            "retirement.recorded", retirement(ret_id, event_id, 220_000_000, retired_at="2026-05-30T02:00:00Z"), seq=1
        ),
        note("retirement.recorded", donation(gift_id, event_id, 1_500, retired_at="2026-05-31T02:00:00Z"), seq=2),
        note("cancellation.recorded", cancellation(xc_id, event_id, 1_000_000_000), seq=3),
    )
    return event_id, ret_id, gift_id, xc_id


def test_both_platform_retirements_and_external_cancellations_are_listed(disclosure):
    event_id, ret_id, gift_id, xc_id = _seed(disclosure)
    items = disclosure.get("/v1/retirements", params={"event_id": event_id}).json()["items"]
    assert [i["id"] for i in items] == [xc_id, gift_id, ret_id]  # newest first
    external, gift, retired = items
    assert external["kind"] == "external_cancellation"
    assert (external["registry"], external["unit_type"]) == ("CCER", "CCER")
    assert (external["serial_from"], external["serial_to"]) == ("CCER-46-2022-000001", "CCER-46-2022-001228")
    assert (external["quantity_g"], external["tonnes"], external["log_index"]) == (1_000_000_000, "1000.000000", 43)
    assert external["cancellation_ref"] == "NCER-2026-0613-0007"
    assert retired["kind"] == "retirement" and retired["registry"] == "LINGTAN"
    assert retired["serial_ranges"][0]["serial"] == "HNBLUE-2023-000017"
    assert (retired["serial_ranges"][0]["start"], retired["serial_ranges"][0]["end"]) == (1, 220_000_000)
    assert (retired["log_index"], retired["tonnes"]) == (42, "220.000000")
    assert gift["kind"] == "donation" and gift["donor"] == "person"


def test_a_person_donor_stays_anonymous(disclosure):
    event_id, _, gift_id, _ = _seed(disclosure)
    (gift,) = [
        i
        for i in disclosure.get("/v1/retirements", params={"event_id": event_id}).json()["items"]
        if i["id"] == gift_id
    ]
    assert (gift["beneficiary"], gift["reason"]) == (None, None)
    assert "张三" not in disclosure.get("/v1/retirements", params={"event_id": event_id}).text


def test_filters_by_unit_type_registry_and_kind(disclosure):
    event_id, ret_id, gift_id, xc_id = _seed(disclosure)

    def ids(**params):
        body = disclosure.get("/v1/retirements", params={"event_id": event_id, **params}).json()
        return [i["id"] for i in body["items"]]

    assert ids(unit_type="HNBLUE") == [ret_id]
    assert ids(unit_type="CCER") == [xc_id]
    assert ids(registry="LINGTAN") == [gift_id, ret_id]
    assert ids(registry="CCER") == [xc_id]
    assert ids(registry="VCU") == []
    assert ids(kind="donation") == [gift_id]
    assert ids(kind="external_cancellation") == [xc_id]
    assert disclosure.get("/v1/retirements", params={"kind": "gift"}).status_code == 422


def test_pages_interleave_both_tables_without_gaps_or_repeats(disclosure):
    event_id = unique("evt")
    notes = []
    for day in range(1, 8):
        when = f"2026-07-{day:02d}T00:00:00Z"
        record = (
            retirement(unique("ret"), event_id, day, retired_at=when)
            if day % 2
            else cancellation(unique("xc"), event_id, day, recorded_at=when)
        )
        topic = "retirement.recorded" if day % 2 else "cancellation.recorded"
        notes.append(note(topic, record, seq=day))
    disclosure.deliver(*notes)
    quantities, cursor = [], None
    while True:
        params = {"event_id": event_id, "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = disclosure.get("/v1/retirements", params=params).json()
        quantities += [i["quantity_g"] for i in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert quantities == [7, 6, 5, 4, 3, 2, 1]
