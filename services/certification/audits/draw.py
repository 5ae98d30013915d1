"""The random audit draw: which certificates an audit round examines, reproducible by anyone.

The draw uses only public data: a signed registry checkpoint (its root hash and tree size), the
round id, the list of the jurisdiction's certificate ids and the sample rate. Anyone can redo it:

1. seed = SHA-256(root_hash || tree_size || round_id), where root_hash is the checkpoint's 32-byte
   root hash (raw bytes, not hex), tree_size is the checkpoint's tree size as an 8-byte big-endian
   unsigned integer, and round_id is the audit round's id encoded as UTF-8.
2. The population is the jurisdiction's certificate ids (each once), sorted by Unicode code point.
3. The sample size k = ceil(rate x population size), computed exactly in decimal; rate is in (0, 1].
   So a non-empty population always yields at least one certificate, and rate 1 takes them all.
4. Each certificate's rank = SHA-256(seed || certificate_id as UTF-8), compared as bytes (that is,
   as a 256-bit big-endian unsigned integer); ties, which SHA-256 makes practically impossible, go to
   the smaller id.
5. The sample is the k certificates with the lowest rank, listed in rank order.

Because the checkpoint is signed and published before the round is drawn, the issuer cannot steer
the sample without forging a checkpoint; because the method is this text, no one has to trust code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, Inexact, localcontext

METHOD = (
    "lingtan-audit-draw-v1: seed = SHA-256(checkpoint root hash, 32 raw bytes || checkpoint tree size, "
    "8-byte big-endian || round id, UTF-8); population = the jurisdiction's certificate ids sorted by "
    "code point; k = ceil(rate x population) computed exactly; rank(id) = SHA-256(seed || id, UTF-8) "
    "compared as bytes, ties to the smaller id; sample = the k lowest ranks, in rank order."
)
_ROOT_HASH_BYTES = 32
_MAX_TREE_SIZE = 2**64 - 1


class AuditDrawError(ValueError):
    """Inputs a draw cannot be made from."""


@dataclass(frozen=True)
class AuditDraw:
    """The outcome of a draw, with everything needed to redo it."""

    method: str
    seed: bytes
    population: tuple[str, ...]
    sample: tuple[str, ...]


def audit_seed(root_hash: bytes, tree_size: int, round_id: str) -> bytes:
    """SHA-256(root hash || tree size as 8-byte big-endian || round id UTF-8)."""
    if len(root_hash) != _ROOT_HASH_BYTES:
        raise AuditDrawError("the checkpoint root hash is 32 bytes")
    if not 0 <= tree_size <= _MAX_TREE_SIZE:
        raise AuditDrawError("the tree size must fit 8 unsigned bytes")
    return hashlib.sha256(root_hash + tree_size.to_bytes(8, "big") + round_id.encode("utf-8")).digest()


def sample_size(population_size: int, rate: Decimal) -> int:
    """ceil(rate x population size), exact; rate must lie in (0, 1]."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or not Decimal(0) < rate <= Decimal(1):
        raise AuditDrawError("the sample rate is a Decimal in (0, 1]")
    if population_size < 0:
        raise AuditDrawError("a population cannot be negative")
    with localcontext() as ctx:
        # Enough digits for the exact product, and a trap in case that reasoning is ever wrong.
        ctx.prec = len(rate.as_tuple().digits) + len(str(population_size)) + 1
        ctx.traps[Inexact] = True
        return int((rate * population_size).to_integral_value(rounding=ROUND_CEILING))


def rank(seed: bytes, certificate_id: str) -> bytes:
    """A certificate's rank in the draw: SHA-256(seed || certificate id UTF-8)."""
    return hashlib.sha256(seed + certificate_id.encode("utf-8")).digest()


def draw(root_hash: bytes, tree_size: int, round_id: str, certificate_ids: Iterable[str], rate: Decimal) -> AuditDraw:
    """Draw an audit round's sample from a jurisdiction's certificates, as METHOD describes."""
    population = tuple(sorted(certificate_ids))
    if len(set(population)) != len(population):
        raise AuditDrawError("a certificate id appears twice in the population")
    k = sample_size(len(population), rate)
    seed = audit_seed(root_hash, tree_size, round_id)
    ranked = sorted(population, key=lambda certificate_id: (rank(seed, certificate_id), certificate_id))
    return AuditDraw(method=METHOD, seed=seed, population=population, sample=tuple(ranked[:k]))
