"""Statistics: exact decimals from integer grams, neutralized events exclude revoked certificates."""

from __future__ import annotations

from decimal import Decimal

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


def test_totals_by_unit_type_province_and_month_are_exact(disclosure):
    hainan, shandong = unique("evt"), unique("evt")
    disclosure.deliver(
        note("event.updated", hainan_event(hainan), seq=1),
        note("event.updated", shandong_forum(shandong), seq=2),
        note(
            "retirement.recorded",
            retirement(unique("ret"), hainan, 220_000_000, retired_at="2026-05-30T15:30:00Z"),
            seq=3,
        ),
        note("retirement.recorded", donation(unique("don"), hainan, 1, retired_at="2026-05-31T16:00:01Z"), seq=4),
        note(
            "retirement.recorded",
            retirement(unique("ret"), shandong, 25_000_001, "SDFOREST", "CN-SD", retired_at="2026-06-20T01:00:00Z"),
            seq=5,
        ),
        note(
            "cancellation.recorded",
            cancellation(unique("xc"), hainan, 1_228_500_500_000, recorded_at="2026-06-10T03:00:00Z"),
            seq=6,
        ),
    )
    stats = disclosure.get("/v1/stats").json()
    total = 220_000_000 + 1 + 25_000_001 + 1_228_500_500_000
    assert stats["retired_total_g"] == total
    assert Decimal(stats["retired_total_tonnes"]) == Decimal(total) / Decimal(1_000_000)
    assert stats["retired_total_tonnes"] == "1228745.500002"
    assert {b["key"]: b["tonnes"] for b in stats["by_unit_type"]} == {
        "CCER": "1228500.500000",
        "HNBLUE": "220.000000",
        "SDFOREST": "25.000001",
        "PCI": "0.000001",
    }
    assert {b["key"]: b["quantity_g"] for b in stats["by_province"]} == {
        "CN-HI": 220_000_000 + 1 + 1_228_500_500_000,
        "CN-SD": 25_000_001,
    }
    # Months in China Standard Time: 2026-05-30T15:30Z is 23:30 on 30 May; 2026-05-31T16:00:01Z is 1 June.
    assert [(b["key"], b["quantity_g"]) for b in stats["by_month"]] == [
        ("2026-05", 220_000_000),
        ("2026-06", 1 + 25_000_001 + 1_228_500_500_000),
    ]
    assert stats["events_disclosed"] == 2


def test_neutralized_events_count_only_certificates_that_stand(disclosure):
    first, second = certificate(unique("cert"), unique("evt")), certificate(unique("cert"), unique("evt"))
    disclosure.deliver(note("certificate.updated", first, seq=1), note("certificate.updated", second, seq=2))
    assert disclosure.get("/v1/stats").json()["events_neutralized"] == 2
    disclosure.deliver(note("certificate.updated", revoked(second), seq=3))
    stats = disclosure.get("/v1/stats").json()
    assert (stats["events_neutralized"], stats["certificates_valid"], stats["certificates_revoked"]) == (1, 1, 1)


def test_no_float_ever_reaches_the_numbers(disclosure):
    disclosure.deliver(note("retirement.recorded", retirement(unique("ret"), unique("evt"), 2**53 + 1), seq=1))
    stats = disclosure.get("/v1/stats").json()
    assert stats["retired_total_g"] == 2**53 + 1
    assert stats["retired_total_tonnes"] == "9007199254.740993"
