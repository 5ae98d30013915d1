"""The RFC 9162 Merkle tree against the Certificate Transparency reference vectors and the RFC text."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.transparency.merkle import (
    EMPTY_ROOT,
    CachingSource,
    CompactRange,
    MemoryTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

# Leaf inputs and expected hashes of the RFC 6962 reference test data used by the Certificate
# Transparency implementations (transparency-dev/merkle testonly, google/trillian).
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
NODES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
# (leaf index, tree size, audit path)
INCLUSION_VECTORS = [
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
# (old size, new size, consistency proof)
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def hexes(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


def flip(hashes: list[bytes], position: int, bit: int) -> list[bytes]:
    changed = list(hashes)
    value = bytearray(changed[position])
    value[bit // 8] ^= 1 << (bit % 8)
    changed[position] = bytes(value)
    return changed


# A direct transcription of the RFC 9162 §2.1 definitions, used only to cross-check.
def ref_mth(data: list[bytes]) -> bytes:
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1 << ((len(data) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + ref_mth(data[:k]) + ref_mth(data[k:])).digest()


def ref_path(m: int, data: list[bytes]) -> list[bytes]:
    if len(data) == 1:
        return []
    k = 1 << ((len(data) - 1).bit_length() - 1)
    if m < k:
        return ref_path(m, data[:k]) + [ref_mth(data[k:])]
    return ref_path(m - k, data[k:]) + [ref_mth(data[:k])]


def ref_subproof(m: int, data: list[bytes], b: bool) -> list[bytes]:
    n = len(data)
    if m == n:
        return [] if b else [ref_mth(data)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return ref_subproof(m, data[:k], b) + [ref_mth(data[k:])]
    return ref_subproof(m - k, data[k:], False) + [ref_mth(data[:k])]


BIG_DATA = [f"log entry {i}".encode() for i in range(300)]
BIG_TREE = MemoryTree(BIG_DATA)
vector_tree = MemoryTree(LEAVES)


@pytest.mark.parametrize("size", range(9))
def test_roots_match_reference_vectors(size: int) -> None:
    assert vector_tree.root(size).hex() == ROOTS[size]
    assert tree_root(LEAVES[:size]).hex() == ROOTS[size]


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert MemoryTree().root() == EMPTY_ROOT == bytes.fromhex(ROOTS[0])


def test_leaf_and_node_hashes_use_domain_separation_prefixes() -> None:
    assert leaf_hash(b"") == bytes.fromhex(NODES[0][0])
    assert node_hash(bytes.fromhex(NODES[0][0]), bytes.fromhex(NODES[0][1])) == bytes.fromhex(NODES[1][0])


def test_every_perfect_subtree_matches_reference_node_hashes() -> None:
    for level, row in enumerate(NODES):
        assert [vector_tree.perfect_hash(level, i).hex() for i in range(len(row))] == row


def test_compact_range_holds_the_reference_frontier() -> None:
    expected = {0: [], 1: [(0, 0)], 2: [(1, 0)], 3: [(1, 0), (0, 2)], 4: [(2, 0)], 5: [(2, 0), (0, 4)]}
    expected |= {6: [(2, 0), (1, 2)], 7: [(2, 0), (1, 2), (0, 6)], 8: [(3, 0)]}
    frontier = CompactRange()
    for size in range(9):
        assert hexes(list(frontier.hashes)) == [NODES[level][index] for level, index in expected[size]]
        assert frontier.root().hex() == ROOTS[size]
        if size < 8:
            frontier.append(leaf_hash(LEAVES[size]))


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION_VECTORS)
def test_inclusion_proofs_match_reference_vectors(index: int, size: int, path: list[str]) -> None:
    proof = vector_tree.inclusion_proof(index, size)
    assert hexes(proof) == path
    verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY_VECTORS)
def test_consistency_proofs_match_reference_vectors(old: int, new: int, path: list[str]) -> None:
    proof = vector_tree.consistency_proof(old, new)
    assert hexes(proof) == path
    verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), proof)


@pytest.mark.parametrize(("index", "size", "path"), [v for v in INCLUSION_VECTORS if v[2]])
def test_corrupted_inclusion_inputs_are_rejected(index: int, size: int, path: list[str]) -> None:
    proof = [bytes.fromhex(h) for h in path]
    root, leaf = bytes.fromhex(ROOTS[size]), leaf_hash(LEAVES[index])
    probes = [
        (leaf, index - 1, size, proof, root),
        (leaf, index + 1, size, proof, root),
        (leaf, index ^ 2, size, proof, root),
        (leaf, index, size * 2, proof, root),
        (leaf, index, size // 2, proof, root),
        (leaf_hash(b"WrongLeaf"), index, size, proof, root),
        (leaf, index, size, proof, EMPTY_ROOT),
        (leaf, index, size, proof, SOME_HASH),
        (leaf, index, size, [*proof, root], root),
        (leaf, index, size, [root, *proof], root),
        (leaf, index, size, proof[:-1], root),
        (leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], root),
    ]
    for probe in probes:
        with pytest.raises(ProofError):
            verify_inclusion(*probe)


@pytest.mark.parametrize(("old", "new", "path"), [v for v in CONSISTENCY_VECTORS if v[2]])
def test_corrupted_consistency_inputs_are_rejected(old: int, new: int, path: list[str]) -> None:
    proof = [bytes.fromhex(h) for h in path]
    root1, root2 = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    probes = [
        (old - 1, new, root1, root2, proof),
        (old + 1, new, root1, root2, proof),
        (old ^ 2, new, root1, root2, proof),
        (old, new * 2, root1, root2, proof),
        (old, new // 2, root1, root2, proof),
        (old, new, SOME_HASH, root2, proof),
        (old, new, root1, SOME_HASH, proof),
        (old, new, root2, root1, proof),
        (old, new, root1, root2, []),
        (old, new, root1, root2, [*proof, root1]),
        (old, new, root1, root2, [root2, *proof]),
        (old, new, root1, root2, [proof[0], *proof]),
        (old, new, root1, root2, proof[:-1]),
    ]
    for probe in probes:
        with pytest.raises(ProofError):
            verify_consistency(*probe)


def test_trivial_consistency_cases() -> None:
    root = bytes.fromhex(ROOTS[3])
    verify_consistency(0, 3, EMPTY_ROOT, root, [])
    verify_consistency(3, 3, root, root, [])
    with pytest.raises(ProofError, match="same size"):
        verify_consistency(3, 3, root, SOME_HASH, [])
    with pytest.raises(ProofError, match="must be empty"):
        verify_consistency(0, 3, EMPTY_ROOT, root, [EMPTY_ROOT])
    with pytest.raises(ProofError, match="a tree of size 0 has root e3b0c442"):
        verify_consistency(0, 3, SOME_HASH, root, [])
    with pytest.raises(ProofError, match="between 0"):
        verify_consistency(4, 3, root, root, [])


def test_malformed_hashes_are_named() -> None:
    root = bytes.fromhex(ROOTS[1])
    with pytest.raises(ProofError, match="root hash must be 32 bytes"):
        verify_inclusion(root, 0, 1, [], b"short")
    with pytest.raises(ProofError, match="leaf hash must be 32 bytes"):
        verify_inclusion(b"", 0, 1, [], root)
    with pytest.raises(ProofError, match="outside a tree of size 0"):
        verify_inclusion(root, 0, 0, [], root)


def test_generation_rejects_impossible_requests() -> None:
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof(vector_tree, 8, 8)
    with pytest.raises(ValueError, match="0 < old size"):
        consistency_proof(vector_tree, 0, 8)
    with pytest.raises(ValueError, match="0 < old size"):
        consistency_proof(vector_tree, 5, 4)
    with pytest.raises(ValueError, match="outside 0..8"):
        vector_tree.root(9)
    with pytest.raises(IndexError, match="no complete subtree"):
        vector_tree.perfect_hash(2, 2)


@given(st.data())
def test_every_inclusion_proof_verifies_and_any_flipped_bit_fails(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, len(BIG_DATA)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = BIG_TREE.inclusion_proof(index, size)
    assert proof == ref_path(index, BIG_DATA[:size])
    root = BIG_TREE.root(size)
    assert root == ref_mth(BIG_DATA[:size])
    leaf = leaf_hash(BIG_DATA[index])
    verify_inclusion(leaf, index, size, proof, root)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1), label="position")
        bit = data.draw(st.integers(0, 255), label="bit")
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, flip(proof, position, bit), root)
    with pytest.raises(ProofError):
        verify_inclusion(flip([leaf], 0, data.draw(st.integers(0, 255)))[0], index, size, proof, root)


@given(st.data())
def test_every_consistency_proof_verifies_and_any_flipped_bit_fails(data: st.DataObject) -> None:
    new = data.draw(st.integers(1, len(BIG_DATA)), label="new")
    old = data.draw(st.integers(1, new), label="old")
    proof = BIG_TREE.consistency_proof(old, new)
    assert proof == ref_subproof(old, BIG_DATA[:new], True)
    old_root, new_root = BIG_TREE.root(old), BIG_TREE.root(new)
    verify_consistency(old, new, old_root, new_root, proof)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1), label="position")
        bit = data.draw(st.integers(0, 255), label="bit")
        with pytest.raises(ProofError):
            verify_consistency(old, new, old_root, new_root, flip(proof, position, bit))
        with pytest.raises(ProofError):
            verify_consistency(old, new, flip([old_root], 0, bit)[0], new_root, proof)


@given(st.integers(0, len(BIG_DATA)))
def test_frontier_rebuilt_from_stored_subtrees_equals_incremental_one(size: int) -> None:
    incremental = CompactRange()
    for data in BIG_DATA[:size]:
        incremental.append(leaf_hash(data))
    rebuilt = CompactRange.from_source(BIG_TREE, size)
    assert rebuilt.hashes == incremental.hashes
    assert rebuilt.root() == incremental.root() == ref_mth(BIG_DATA[:size])


def test_append_reports_every_completed_perfect_subtree() -> None:
    frontier = CompactRange(3, [BIG_TREE.perfect_hash(1, 0), BIG_TREE.perfect_hash(0, 2)])
    completed = frontier.append(BIG_TREE.leaf_hash(3))
    assert completed == [(0, 3, BIG_TREE.perfect_hash(0, 3)), (1, 1, BIG_TREE.perfect_hash(1, 1))] + [
        (2, 0, BIG_TREE.perfect_hash(2, 0))
    ]
    with pytest.raises(ValueError, match="holds 2 hashes"):
        CompactRange(3, [EMPTY_ROOT])
    with pytest.raises(ValueError, match="32 bytes"):
        frontier.append(b"not a hash")


class UniformLog:
    """A log of n identical leaves: every perfect subtree of a level has the same hash."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lookups = 0
        self.levels = [leaf_hash(b"retirement")]
        for _ in range(size.bit_length()):
            self.levels.append(node_hash(self.levels[-1], self.levels[-1]))

    def perfect_hash(self, level: int, index: int) -> bytes:
        # A database can only answer for subtrees that are complete.
        assert (index + 1) << level <= self.size
        self.lookups += 1
        return self.levels[level]


@pytest.mark.parametrize("size", [1_000_000, 1_048_576, 1_234_567])
def test_proofs_at_a_million_entries_take_logarithmic_lookups(size: int) -> None:
    log = UniformLog(size)
    root = root_hash(log, size)
    bound = 2 * size.bit_length()
    for index in (0, 1, size // 3, size - 2, size - 1):
        log.lookups = 0
        proof = inclusion_proof(log, index, size)
        assert log.lookups <= bound
        verify_inclusion(log.levels[0], index, size, proof, root)
    for old in (1, 999_999, size // 2 + 1, size - 1):
        log.lookups = 0
        proof = consistency_proof(log, old, size)
        assert log.lookups <= bound
        verify_consistency(old, size, root_hash(log, old), root, proof)


def test_cached_subtrees_persisted_on_append_serve_proofs_without_leaf_reads() -> None:
    stored: dict[tuple[int, int], bytes] = {}
    frontier = CompactRange()
    for data in BIG_DATA:
        for level, index, h in frontier.append(leaf_hash(data)):
            stored[(level, index)] = h
    leaf_reads: list[int] = []

    def read_leaf(index: int) -> bytes:
        leaf_reads.append(index)
        return stored[(0, index)]

    source = CachingSource(read_leaf, {k: v for k, v in stored.items() if k[0] > 0})
    assert inclusion_proof(source, 123, 300) == BIG_TREE.inclusion_proof(123, 300)
    assert len(leaf_reads) <= 2
    assert root_hash(source, 300) == frontier.root()


def test_caching_source_builds_missing_subtrees_from_leaves_once() -> None:
    leaf_reads: list[int] = []

    def read_leaf(index: int) -> bytes:
        leaf_reads.append(index)
        return BIG_TREE.leaf_hash(index)

    source = CachingSource(read_leaf)
    assert source.perfect_hash(8, 0) == BIG_TREE.perfect_hash(8, 0)
    assert sorted(leaf_reads) == list(range(256))
    assert source.perfect_hash(8, 0) == BIG_TREE.perfect_hash(8, 0)
    assert len(leaf_reads) == 256
