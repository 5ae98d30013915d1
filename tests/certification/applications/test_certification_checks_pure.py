"""The checks' exact arithmetic, and the pinned registry log key."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from services.certification.applications.checks import required_grams
from services.certification.applications.results import grams
from shared.transparency.checkpoint import verifier_key
from tests.certification.certification_local import LocalCertification, apply, coverage


@given(st.decimals(min_value=0, max_value=Decimal("1e12"), places=7, allow_nan=False, allow_infinity=False))
def test_required_grams_is_the_least_whole_gram_that_covers_the_kilograms(kilograms: Decimal) -> None:
    needed = required_grams(kilograms)

    assert Decimal(needed) >= kilograms * 1000
    assert Decimal(needed - 1) < kilograms * 1000


def test_grams_are_written_exactly_with_their_tonnes() -> None:
    assert grams(1) == "1 g (0.000001 t)"
    assert grams(1_448_500_500) == "1,448,500,500 g (1,448.5005 t)"


def test_proofs_signed_by_a_key_other_than_the_pinned_one_do_not_count(
    cert_portal: Any, certification_database: Any, upstream: Any
) -> None:
    pinned = verifier_key("registry.test/log", Ed25519PrivateKey.generate().public_key())
    local = LocalCertification.start(cert_portal, certification_database, upstream,
                                     certification_registry_vkey=pinned)
    try:
        event = upstream.accounting.event()
        upstream.registry.retire(event["id"], 1_000_000)
        counted = coverage(apply(local, event))
    finally:
        local.close()

    assert counted["result"] == "fail"
    assert counted["details"]["counted_g"] == 0
    assert "checkpoint" in counted["details"]["not_counted"][0]["reason"]
    assert counted["details"]["log_key"] == pinned
