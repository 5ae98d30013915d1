"""The revocation status list, checked against the W3C Bitstring Status List v1.0 text."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime

import pytest

from services.certification.certificates.credential import generate_issuer_key, issue, public_jwks, verify
from services.certification.status.bitstring import (
    MIN_BITS,
    StatusListError,
    choose_index,
    clear_bit,
    decode,
    encode,
    get_bit,
    new_list,
    set_bit,
    status_list_credential,
)

# The encodedList of the spec's example BitstringStatusListCredential (section 2.2): nothing revoked.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def raw_bytes(encoded: str) -> bytes:
    """The bitstring decoded with the standard library only: strip 'u', base64url, gunzip."""
    assert encoded[0] == "u"
    return gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))


def test_a_new_list_has_the_spec_minimum_of_131072_bits_all_clear() -> None:
    bits = new_list()
    assert len(bits) == 16 * 1024
    assert not any(bits)
    with pytest.raises(StatusListError):
        new_list(MIN_BITS - 8)
    with pytest.raises(StatusListError):
        new_list(MIN_BITS + 1)


def test_the_first_and_last_index_survive_encoding() -> None:
    bits = new_list()
    set_bit(bits, 0)
    set_bit(bits, 131_071)
    decoded = decode(encode(bits))
    assert get_bit(decoded, 0) and get_bit(decoded, 131_071)
    assert not get_bit(decoded, 1) and not get_bit(decoded, 131_070)
    assert sum(bin(byte).count("1") for byte in decoded) == 2


def test_index_zero_is_the_left_most_bit_of_the_first_byte() -> None:
    bits = new_list()
    set_bit(bits, 0)
    raw = raw_bytes(encode(bits))
    assert raw[0] == 0x80
    assert not any(raw[1:])


@pytest.mark.parametrize(("index", "byte", "value"), [(7, 0, 0x01), (8, 1, 0x80), (131_071, 16_383, 0x01)])
def test_bits_run_left_to_right_through_the_bytes(index: int, byte: int, value: int) -> None:
    bits = new_list()
    set_bit(bits, index)
    assert raw_bytes(encode(bits))[byte] == value


def test_the_encoding_is_multibase_base64url_without_padding_of_gzip() -> None:
    encoded = encode(new_list())
    assert encoded.startswith("u")
    assert set(encoded[1:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert base64.urlsafe_b64decode(encoded[1:] + "==")[:2] == b"\x1f\x8b"
    # A mostly empty list compresses to a few dozen bytes, which is the point of the format.
    assert len(encoded) < 200


def test_the_same_bits_always_encode_the_same_way() -> None:
    first, second = new_list(), new_list()
    set_bit(first, 94_567)
    set_bit(second, 94_567)
    assert encode(first) == encode(second)


def test_the_spec_example_decodes_to_an_empty_16kb_list() -> None:
    bits = decode(SPEC_EXAMPLE)
    assert len(bits) * 8 == MIN_BITS
    assert not any(bits)


def test_clearing_and_range_checks() -> None:
    bits = new_list()
    set_bit(bits, 42)
    set_bit(bits, 43)
    clear_bit(bits, 42)
    assert not get_bit(bits, 42) and get_bit(bits, 43)
    for index in (-1, MIN_BITS):
        with pytest.raises(StatusListError):
            set_bit(bits, index)
        with pytest.raises(StatusListError):
            get_bit(bits, index)


def _u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "encoded",
    [
        SPEC_EXAMPLE[1:],  # no multibase prefix
        "z" + SPEC_EXAMPLE[1:],  # base58btc prefix, not base64url
        _u(gzip.compress(bytes(1024))),  # below the 16 KB minimum
        _u(gzip.compress(bytes(17 * 1024 * 1024))),  # expands past the safety bound
        _u(gzip.compress(bytes(16 * 1024))[:-9]),  # truncated
        _u(b"not gzip at all"),
        SPEC_EXAMPLE + "==",  # padded
    ],
)
def test_lists_that_break_the_spec_or_the_size_bound_are_refused(encoded: str) -> None:
    with pytest.raises(StatusListError):
        decode(encoded)


def test_choose_index_never_returns_a_taken_index() -> None:
    taken = {choose_index(set()) for _ in range(50)}
    assert all(0 <= index < MIN_BITS for index in taken)
    assert choose_index(taken) not in taken
    # Nearly full: the single free index is the only possible answer.
    everything_but_one = set(range(MIN_BITS)) - {77_777}
    assert choose_index(everything_but_one) == 77_777
    with pytest.raises(StatusListError):
        choose_index(set(range(MIN_BITS)))


def test_the_status_list_credential_is_a_signed_verifiable_credential() -> None:
    bits = new_list()
    set_bit(bits, 94_567)
    url = "https://lingtan.example.cn/certification/v1/status-lists/3"
    credential = status_list_credential(
        url,
        {"id": "https://lingtan.example.cn/certification", "name": "Issuer"},
        encode(bits),
        datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    assert credential["id"] == url
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["validFrom"] == "2025-01-02T03:04:05Z"
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    key = generate_issuer_key()
    published = verify(issue(credential, key), public_jwks([key]))
    assert get_bit(decode(published["credentialSubject"]["encodedList"]), 94_567)


def test_the_status_list_credential_refuses_an_invalid_list() -> None:
    with pytest.raises(StatusListError):
        status_list_credential("https://x.example/s/1", "https://x.example", _u(gzip.compress(bytes(8))))
