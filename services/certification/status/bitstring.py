"""W3C Bitstring Status List v1.0: one revocation bit per certificate, published as a credential.

- A list holds at least 131,072 bits (16 KB), the spec's minimum, so that a verifier fetching the list
  reveals nothing about which certificate it checks (group privacy).
- Index 0 is the left-most bit of the bitstring: the most significant bit of the first byte; the last
  index is the least significant bit of the last byte.
- ``encodedList`` is the multibase base64url form (prefix ``u``, no padding) of the GZIP-compressed
  bitstring (RFC 1952). GZIP's timestamp is fixed at zero so the same bits always encode the same way.
- Revocation is not reversible (the spec's ``revocation`` purpose): a set bit stays set.
"""

from __future__ import annotations

import gzip
import secrets
import zlib
from collections.abc import Mapping, Set
from datetime import datetime
from typing import Any

from services.certification.certificates.credential import VC_CONTEXT_V2, b64url_decode_strict, vc_timestamp
from shared.jws import b64url

MIN_BITS = 131_072
# Refuse to inflate more than this: a small encodedList must not expand into gigabytes.
MAX_BYTES = 16 * 1024 * 1024
MULTIBASE_BASE64URL = "u"
STATUS_PURPOSE = "revocation"


class StatusListError(ValueError):
    """A status list that cannot be built, read or indexed as the spec requires."""


def new_list(size_bits: int = MIN_BITS) -> bytearray:
    """An all-zero status list (nothing revoked) of size_bits bits, a multiple of 8 and at least 131,072."""
    if size_bits < MIN_BITS or size_bits % 8:
        raise StatusListError(f"a status list has a multiple of 8 bits, at least {MIN_BITS}")
    return bytearray(size_bits // 8)


def _locate(bits: bytearray | bytes, index: int) -> tuple[int, int]:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} is outside a list of {len(bits) * 8} bits")
    return index // 8, 0x80 >> (index % 8)


def set_bit(bits: bytearray, index: int) -> None:
    """Set the bit at index (the certificate at that index is revoked)."""
    byte, mask = _locate(bits, index)
    bits[byte] |= mask


def clear_bit(bits: bytearray, index: int) -> None:
    """Clear the bit at index; a published revocation is never undone, so this serves list preparation."""
    byte, mask = _locate(bits, index)
    bits[byte] &= ~mask & 0xFF


def get_bit(bits: bytearray | bytes, index: int) -> bool:
    """Whether the bit at index is set."""
    byte, mask = _locate(bits, index)
    return bool(bits[byte] & mask)


def encode(bits: bytearray | bytes) -> str:
    """The encodedList value: multibase base64url of the GZIP-compressed bitstring."""
    if len(bits) * 8 < MIN_BITS:
        raise StatusListError(f"a status list has at least {MIN_BITS} bits")
    return MULTIBASE_BASE64URL + b64url(gzip.compress(bytes(bits), mtime=0))


def decode(encoded: str) -> bytearray:
    """The bitstring an encodedList value carries, checked for the minimum size."""
    if not encoded.startswith(MULTIBASE_BASE64URL):
        raise StatusListError("encodedList must be multibase base64url (prefix 'u')")
    try:
        compressed = b64url_decode_strict(encoded[1:])
        # wbits 16 + MAX_WBITS accepts exactly the GZIP container; max_length bounds the output.
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        bits = inflater.decompress(compressed, MAX_BYTES)
    except (ValueError, zlib.error) as exc:
        raise StatusListError("encodedList is not base64url GZIP data") from exc
    if inflater.unconsumed_tail:
        raise StatusListError(f"the status list expands beyond {MAX_BYTES} bytes")
    if not inflater.eof or inflater.unused_data:
        raise StatusListError("the GZIP data is truncated or followed by other data")
    if len(bits) * 8 < MIN_BITS:
        raise StatusListError(f"the status list has fewer than {MIN_BITS} bits")
    return bytearray(bits)


def choose_index(taken: Set[int], size_bits: int = MIN_BITS) -> int:
    """A random free index: the spec asks for random assignment so an index reveals no issuance order."""
    free_count = size_bits - len(taken)
    if free_count <= 0:
        raise StatusListError("the status list is full")
    if free_count * 2 >= size_bits:
        # Mostly empty: drawing until a free index comes up takes two tries on average.
        while (index := secrets.randbelow(size_bits)) in taken:
            continue
        return index
    free = [index for index in range(size_bits) if index not in taken]
    return free[secrets.randbelow(len(free))]


def status_list_credential(
    url: str, issuer: Mapping[str, str] | str, encoded: str, valid_from: datetime | None = None
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential published at url (its id), for revocation."""
    decode(encoded)
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encoded,
        },
    }
    if valid_from is not None:
        credential["validFrom"] = vc_timestamp(valid_from)
    return credential
