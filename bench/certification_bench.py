"""Issuing a certificate, and verifying one offline.

    .venv/bin/python bench/certification_bench.py [--issues 200] [--seconds 5] [--rounds 3]

Issuing: build the credential of a Hainan exhibition (two registry retirements, one CCER
cancellation), sign it as an ES256 VC-JWT, and render its one-page PDF with the QR code; the median
and 95th percentile of --issues runs (target: median <= 100 ms). Signing and the PDF are also timed
apart, so a regression shows where it is.

Verifying offline: what a verifier does per certificate once it holds the issuer's JWK Set and the
status list: check the JWS (header, kid, ES256 signature, payload) and read the certificate's bit. The
process is pinned to one core; certificates verified per second, median of --rounds rounds of
--seconds each (target: >= 1,000 per second). The same with the status list decoded (inflated) for
every certificate, as a verifier that caches nothing does, is reported beside it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from services.certification.certificates.credential import (
    CertifiedEvent,
    ExternalCancellation,
    Issuer,
    RegistryRetirement,
    StatusEntry,
    build_credential,
    generate_issuer_key,
    issue,
    public_jwks,
    verify,
)
from services.certification.certificates.printable import render_pdf
from services.certification.status.bitstring import choose_index, decode, encode, get_bit, new_list, set_bit

BASE = "https://lingtan.example.cn"
LIST_URL = f"{BASE}/certification/v1/status-lists/1"
MANGROVE = "HNCI-HNMG0001-2023"
PERSONAL = "HNCI-HNPC0001-2024"


def credential(index: int) -> dict[str, object]:
    """The credential of a four-day Haikou exhibition."""
    return build_credential(
        certificate_id=uuid.uuid4().urn,
        issuer=Issuer(f"{BASE}/certification", "海南省国家生态文明试验区建设领导小组办公室"),
        valid_from=datetime.now(UTC),
        event=CertifiedEvent(
            "evt_bench",
            "第四届中国国际消费品博览会 China International Consumer Products Expo",
            ("海南省商务厅", "Hainan Provincial Department of Commerce"),
            date(2026, 4, 13),
            date(2026, 4, 16),
            "CN-HI",
            Decimal("1448500.5"),
        ),
        retirements=[
            RegistryRetirement(
                "ret_1",
                "HNCI",
                "HNCI-HNMG0001-2023-000000000000001",
                "HNCI-HNMG0001-2023-000000220000000",
                220_000_000,
                17,
            ),
            RegistryRetirement(
                "ret_2", "HNCI", "HNCI-HNPC0001-2024-000000000000001", "HNCI-HNPC0001-2024-000000000250000", 250_000, 42
            ),
        ],
        cancellations=[
            ExternalCancellation(
                "CCER", "CCER-46-2024-000001", "CCER-46-2024-001229", 1_228_250_500, "NCCR-2024-0031", 43
            )
        ],
        confirmation_method="self_commitment",
        profile_id="hainan-2023@1.0.0",
        status=StatusEntry(LIST_URL, index),
    )


def _ms(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def bench_issue(runs: int) -> None:
    key = generate_issuer_key()
    render_pdf(credential(0), status="valid", verification_url=f"{BASE}/disclosure/verify?id=cert_warm")
    total, signing, printing = [], [], []
    for n in range(runs):
        started = time.perf_counter()
        made = credential(n)
        token = issue(made, key)
        signed = time.perf_counter()
        pdf = render_pdf(made, status="valid", verification_url=f"{BASE}/disclosure/verify?id=cert_{n}")
        done = time.perf_counter()
        assert token and pdf.startswith(b"%PDF-")
        total.append(done - started)
        signing.append(signed - started)
        printing.append(done - signed)
    median, p95 = _ms(total)
    print(f"issue (credential + sign + PDF)   median {median:7.2f} ms   p95 {p95:7.2f} ms   (target median <= 100 ms)")
    print(f"  credential + ES256 signature    median {_ms(signing)[0]:7.2f} ms")
    print(f"  PDF with QR code                median {_ms(printing)[0]:7.2f} ms")


def bench_verify(seconds: float, rounds: int) -> None:
    key = generate_issuer_key()
    jwks = public_jwks([key])
    bits = new_list()
    taken: set[int] = set()
    tokens = []
    for _ in range(200):
        index = choose_index(taken)
        taken.add(index)
        tokens.append((issue(credential(index), key), index))
    for _, index in tokens[::7]:
        set_bit(bits, index)
    encoded = encode(bits)
    held = decode(encoded)

    def per_second(decode_each_time: bool) -> float:
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for token, _ in tokens:
                verified = verify(token, jwks)
                status_bits = decode(encoded) if decode_each_time else held
                get_bit(status_bits, int(verified["credentialStatus"]["statusListIndex"]))
            count += len(tokens)
        return count / (time.perf_counter() - started)

    per_second(False)
    cached = statistics.median(per_second(False) for _ in range(rounds))
    uncached = statistics.median(per_second(True) for _ in range(rounds))
    print(f"verify offline, one core          {cached:7.0f} /s (JWS + status bit, list held)   (target >= 1,000/s)")
    print(f"  decoding the status list each   {uncached:7.0f} /s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    bench_issue(args.issues)
    bench_verify(args.seconds, args.rounds)


if __name__ == "__main__":
    main()
