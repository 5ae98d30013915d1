"""RFC 9162 Merkle tree (the hashing of Certificate Transparency, identical to RFC 6962).

Hashing:
    leaf hash  = SHA-256(0x00 || leaf data)
    node hash  = SHA-256(0x01 || left child hash || right child hash)
    empty tree = SHA-256 of the empty string

The tree over n leaves splits at k, the largest power of two smaller than n: the left subtree holds
leaves [0, k), the right one [k, n). Consequently every subtree the algorithms ever need is a run of
perfect subtrees: blocks of 2^level leaves starting at a multiple of 2^level. Such a perfect subtree
never changes once its last leaf is appended, so a service can store each one as it completes and
answer any root, inclusion proof (§2.1.3) or consistency proof (§2.1.4) with O(log n) lookups.

Building blocks:
- ``SubtreeSource``: anything that returns the hash of a complete perfect subtree, addressed by
  ``(level, index)`` covering leaves ``[index * 2**level, (index + 1) * 2**level)``; level 0 is a leaf.
- ``CompactRange``: the frontier of a log (the perfect subtrees whose sizes are the binary digits of
  the tree size). Appending a leaf is O(log n) and reports every perfect subtree it completes, which
  is exactly what a database-backed log persists.
- ``CachingSource``: builds perfect-subtree hashes from a leaf-hash callable, caching them.
- ``MemoryTree``: an in-memory log, used by tests and by the offline verifier.
- ``root_hash``, ``inclusion_proof``, ``consistency_proof``: proof generation over any source.
- ``verify_inclusion``, ``verify_consistency``: the RFC 9162 §2.1.3.2 and §2.1.4.2 algorithms; they
  raise ``ProofError`` naming what failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from typing import Protocol

__all__ = [
    "HASH_SIZE",
    "EMPTY_ROOT",
    "ProofError",
    "leaf_hash",
    "node_hash",
    "SubtreeSource",
    "root_hash",
    "inclusion_proof",
    "consistency_proof",
    "CompactRange",
    "CachingSource",
    "MemoryTree",
    "tree_root",
    "root_from_inclusion_proof",
    "verify_inclusion",
    "verify_consistency",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """An inclusion or consistency proof (or its inputs) does not verify."""


def leaf_hash(data: bytes) -> bytes:
    """Hash one leaf's data: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class SubtreeSource(Protocol):
    """Returns the hash of a complete perfect subtree; level 0 is a leaf hash."""

    def perfect_hash(self, level: int, index: int) -> bytes:
        """Hash of the perfect subtree over leaves [index * 2**level, (index + 1) * 2**level)."""
        ...


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _perfect_runs(lo: int, hi: int) -> list[tuple[int, int]]:
    """Decompose [lo, hi) into aligned perfect subtrees, largest first, as (level, index) pairs.

    Valid for every range the RFC recursion produces: lo is a multiple of every power of two that
    is not larger than hi - lo.
    """
    runs = []
    start, remaining = lo, hi - lo
    while remaining:
        level = remaining.bit_length() - 1
        runs.append((level, start >> level))
        start += 1 << level
        remaining -= 1 << level
    return runs


def _range_hash(source: SubtreeSource, lo: int, hi: int) -> bytes:
    """MTH of leaves [lo, hi) from its perfect runs: a right fold, as the RFC split implies."""
    runs = _perfect_runs(lo, hi)
    level, index = runs[-1]
    acc = source.perfect_hash(level, index)
    for level, index in reversed(runs[:-1]):
        acc = node_hash(source.perfect_hash(level, index), acc)
    return acc


def root_hash(source: SubtreeSource, size: int) -> bytes:
    """The Merkle Tree Hash of the first ``size`` leaves of the source."""
    if size < 0:
        raise ValueError(f"tree size must be >= 0, got {size}")
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(source, 0, size)


def inclusion_proof(source: SubtreeSource, index: int, size: int) -> list[bytes]:
    """The audit path for leaf ``index`` in the tree of ``size`` leaves (RFC 9162 §2.1.3.1), leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    top_down = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            top_down.append(_range_hash(source, lo + k, hi))
            hi = lo + k
        else:
            top_down.append(_range_hash(source, lo, lo + k))
            lo += k
    return top_down[::-1]


def consistency_proof(source: SubtreeSource, old_size: int, new_size: int) -> list[bytes]:
    """The consistency proof from tree size ``old_size`` to ``new_size`` (RFC 9162 §2.1.4.1)."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"consistency proof needs 0 < old size <= new size, got {old_size} and {new_size}")
    top_down = []
    lo, hi = 0, new_size
    complete = True  # SUBPROOF's flag b: the old tree is the whole subtree we started from
    while old_size < hi:
        k = _split(hi - lo)
        if old_size - lo <= k:
            top_down.append(_range_hash(source, lo + k, hi))
            hi = lo + k
        else:
            top_down.append(_range_hash(source, lo, lo + k))
            lo += k
            complete = False
    if not complete:
        top_down.append(_range_hash(source, lo, hi))
    return top_down[::-1]


class CompactRange:
    """The frontier of a log: the perfect subtrees covering leaves [0, size), largest first."""

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if size < 0 or len(hashes) != bin(size).count("1"):
            raise ValueError(f"a compact range of size {size} holds {bin(size).count('1')} hashes")
        self._size = size
        self._hashes = list(hashes)

    @classmethod
    def from_source(cls, source: SubtreeSource, size: int) -> CompactRange:
        """Rebuild the frontier of a stored log in O(log n) lookups (e.g. after a restart)."""
        runs = _perfect_runs(0, size)
        return cls(size, [source.perfect_hash(level, index) for level, index in runs])

    @property
    def size(self) -> int:
        """Number of leaves covered."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The frontier hashes, largest subtree first."""
        return tuple(self._hashes)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Append a leaf hash; return every perfect subtree it completes as (level, index, hash)."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, got {len(leaf)}")
        completed = [(0, self._size, leaf)]
        acc, level, index = leaf, 0, self._size
        # Each set low bit of the old size is a same-level sibling waiting on the left to be merged.
        while (self._size >> level) & 1:
            acc = node_hash(self._hashes.pop(), acc)
            level += 1
            index >>= 1
            completed.append((level, index, acc))
        self._hashes.append(acc)
        self._size += 1
        return completed

    def root(self) -> bytes:
        """The Merkle Tree Hash of the covered leaves."""
        if not self._hashes:
            return EMPTY_ROOT
        acc = self._hashes[-1]
        for h in reversed(self._hashes[:-1]):
            acc = node_hash(h, acc)
        return acc


class CachingSource:
    """Perfect-subtree hashes computed from leaf hashes and cached; the cache may be persisted."""

    def __init__(
        self,
        leaf: Callable[[int], bytes],
        cache: MutableMapping[tuple[int, int], bytes] | None = None,
    ) -> None:
        self._leaf = leaf
        self._cache: MutableMapping[tuple[int, int], bytes] = {} if cache is None else cache

    def perfect_hash(self, level: int, index: int) -> bytes:
        """Hash of a perfect subtree, from the cache or built from its two halves."""
        if level == 0:
            return self._leaf(index)
        cached = self._cache.get((level, index))
        if cached is None:
            cached = node_hash(self.perfect_hash(level - 1, 2 * index), self.perfect_hash(level - 1, 2 * index + 1))
            self._cache[(level, index)] = cached
        return cached


class MemoryTree:
    """An in-memory append-only Merkle tree that keeps every perfect subtree hash."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        self._frontier = CompactRange()
        for data in leaves:
            self.append(data)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return self._frontier.size

    def append(self, data: bytes) -> int:
        """Append leaf data; return its leaf index."""
        return self.append_hash(leaf_hash(data))

    def append_hash(self, leaf: bytes) -> int:
        """Append an already hashed leaf; return its leaf index."""
        index = self._frontier.size
        for level, _, h in self._frontier.append(leaf):
            if level == len(self._levels):
                self._levels.append([])
            self._levels[level].append(h)
        return index

    def perfect_hash(self, level: int, index: int) -> bytes:
        """Hash of a complete perfect subtree."""
        if level >= len(self._levels) or not 0 <= index < len(self._levels[level]):
            raise IndexError(f"no complete subtree at level {level}, index {index} in a tree of {self.size}")
        return self._levels[level][index]

    def leaf_hash(self, index: int) -> bytes:
        """The stored hash of leaf ``index``."""
        return self.perfect_hash(0, index)

    def root(self, size: int | None = None) -> bytes:
        """Root of the whole tree, or of its first ``size`` leaves."""
        if size is None:
            return self._frontier.root()
        self._check_size(size)
        return root_hash(self, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path for a leaf in the tree of ``size`` leaves (default: the current size)."""
        size = self.size if size is None else size
        self._check_size(size)
        return inclusion_proof(self, index, size)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Consistency proof between two sizes of this tree."""
        new_size = self.size if new_size is None else new_size
        self._check_size(new_size)
        return consistency_proof(self, old_size, new_size)

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} is outside 0..{self.size}")


def tree_root(leaves: Iterable[bytes]) -> bytes:
    """The Merkle Tree Hash of a list of leaf data, in O(n) hashes and O(log n) memory."""
    frontier = CompactRange()
    for data in leaves:
        frontier.append(leaf_hash(data))
    return frontier.root()


def _check_hash(name: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{name} must be {HASH_SIZE} bytes, got {len(value)}")


def _inclusion_length(index: int, size: int) -> int:
    # Levels below the point where the path leaves the right border, plus border siblings above it.
    inner = (index ^ (size - 1)).bit_length()
    return inner + bin(index >> inner).count("1")


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """Recompute the root implied by an inclusion proof (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash("leaf hash", leaf)
    expected = _inclusion_length(index, size)
    if len(proof) != expected:
        raise ProofError(
            f"inclusion proof has {len(proof)} hashes; leaf {index} of a tree of size {size} needs {expected}"
        )
    fn, sn, r = index, size - 1, leaf
    for position, p in enumerate(proof):
        _check_hash(f"inclusion proof hash {position}", p)
        if sn == 0:
            raise ProofError("inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` (a leaf hash) is leaf ``index`` of the tree with ``root``; raise ProofError."""
    _check_hash("root hash", root)
    computed = root_from_inclusion_proof(leaf, index, size, proof)
    if computed != root:
        raise ProofError(
            f"inclusion proof for leaf {index} leads to root {computed.hex()}, not {root.hex()} (size {size})"
        )


def _consistency_length(old_size: int, new_size: int) -> int:
    # Below the lowest set bit of old_size both trees share whole perfect subtrees, so skip those levels.
    shift = (old_size & -old_size).bit_length() - 1
    index, size = (old_size - 1) >> shift, ((new_size - 1) >> shift) + 1
    seed = 0 if index == 0 else 1
    return seed + _inclusion_length(index, size)


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Check that the tree with ``new_root`` extends the one with ``old_root`` (RFC 9162 §2.1.4.2)."""
    _check_hash("old root hash", old_root)
    _check_hash("new root hash", new_root)
    if not 0 <= old_size <= new_size:
        raise ProofError(f"old tree size {old_size} must be between 0 and the new size {new_size}")
    if old_size == 0 and old_root != EMPTY_ROOT:
        raise ProofError(f"a tree of size 0 has root {EMPTY_ROOT.hex()}, not {old_root.hex()}")
    if old_size == 0 or old_size == new_size:
        if proof:
            raise ProofError(f"a consistency proof from size {old_size} to {new_size} must be empty")
        if old_size == new_size and old_root != new_root:
            raise ProofError(f"two trees of the same size {new_size} have different roots")
        return
    expected = _consistency_length(old_size, new_size)
    if len(proof) != expected:
        raise ProofError(f"consistency proof has {len(proof)} hashes; sizes {old_size} to {new_size} need {expected}")
    for position, c in enumerate(proof):
        _check_hash(f"consistency proof hash {position}", c)
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the path to the new root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the new root")
    if fr != old_root:
        raise ProofError(f"consistency proof rebuilds old root {fr.hex()}, not {old_root.hex()} (size {old_size})")
    if sr != new_root:
        raise ProofError(f"consistency proof rebuilds new root {sr.hex()}, not {new_root.hex()} (size {new_size})")
