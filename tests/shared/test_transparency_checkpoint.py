"""Signed checkpoints: C2SP signed-note and tlog-checkpoint format, Ed25519 signatures, vkeys."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from shared.transparency.checkpoint import (
    BadSignatureError,
    MalformedCheckpointError,
    MalformedNoteError,
    MalformedVerifierKeyError,
    MissingSignatureError,
    OriginMismatchError,
    key_id,
    open_note,
    parse_and_verify,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    verifier_key,
)

# Known-answer data published with golang.org/x/mod/sumdb/note (note_test.go).
PETER_SKEY_B64 = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)

ORIGIN = "lingtan.example/registry/log"
ROOT = hashlib.sha256(b"some tree").digest()
SIGNED_AT = datetime(2025, 6, 1, 8, 0, 0, tzinfo=UTC)


def peter_key() -> Ed25519PrivateKey:
    seed = base64.b64decode(PETER_SKEY_B64)
    assert seed[0] == 1
    return Ed25519PrivateKey.from_private_bytes(seed[1:])


@pytest.fixture(scope="module")
def log_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def log_vkey(log_key: Ed25519PrivateKey) -> str:
    return verifier_key(ORIGIN, log_key.public_key())


def test_known_answer_vkey_and_key_id() -> None:
    key = peter_key()
    assert verifier_key("PeterNeumann", key.public_key()) == PETER_VKEY
    assert key_id("PeterNeumann", key.public_key()).hex() == "c74f20a3"
    parsed = parse_verifier_key(PETER_VKEY)
    assert parsed.name == "PeterNeumann"
    assert parsed.public_bytes == key.public_key().public_bytes_raw()


def test_known_answer_signature_is_reproduced_exactly() -> None:
    assert sign_note(TEXT, peter_key(), "PeterNeumann") == TEXT + "\n" + PETER_SIG


def test_known_answer_notes_open_and_unknown_signatures_are_ignored() -> None:
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(note, PETER_VKEY) == TEXT
    assert open_note(note, ENOCH_VKEY) == TEXT
    assert open_note(note.encode(), PETER_VKEY) == TEXT


def test_corrupted_known_answer_signature_fails() -> None:
    with pytest.raises(BadSignatureError, match="PeterNeumann\\+c74f20a3"):
        open_note(TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:], PETER_VKEY)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        (TEXT, "no blank line"),
        (TEXT + "\n", "must end with a signature line"),
        (TEXT + "\n" + PETER_SIG[:-1], "must end with a signature line"),
        ("\x01" + TEXT + "\n" + PETER_SIG, "control character U\\+0001"),
        (TEXT + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQx=\n", "signature line 1 must be"),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "signature line 2 must start with an em dash"),
        (TEXT + "\n" + PETER_SIG.replace("x08go", "x08g!"), "not standard base64"),
        (TEXT + "\n\u2014 PeterNeumann AAAA\n", "too short"),
    ],
)
def test_malformed_notes_are_rejected(note: str, message: str) -> None:
    with pytest.raises(MalformedNoteError, match=message):
        open_note(note, PETER_VKEY)


def test_invalid_utf8_is_rejected() -> None:
    with pytest.raises(MalformedNoteError, match="UTF-8"):
        open_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), PETER_VKEY)


def test_checkpoint_has_the_tlog_checkpoint_layout(log_key: Ed25519PrivateKey) -> None:
    note = sign_checkpoint(ORIGIN, 1234, ROOT, log_key, ORIGIN, SIGNED_AT)
    body, signatures = note.split("\n\n")
    assert body.split("\n") == [ORIGIN, "1234", base64.b64encode(ROOT).decode(), "timestamp 2025-06-01T08:00:00Z"]
    assert signatures.startswith(f"\u2014 {ORIGIN} ")
    assert signatures.endswith("\n") and signatures.count("\n") == 1
    blob = base64.b64decode(signatures.split(" ")[2])
    assert blob[:4] == key_id(ORIGIN, log_key.public_key())
    assert len(blob) == 4 + 64


def test_checkpoint_round_trip(log_key: Ed25519PrivateKey, log_vkey: str) -> None:
    moment = datetime(2025, 6, 1, 16, 0, 0, 999, tzinfo=timezone(timedelta(hours=8)))
    note = sign_checkpoint(ORIGIN, 1234, ROOT, log_key, ORIGIN, moment)
    checkpoint = parse_and_verify(note, log_vkey, expected_origin=ORIGIN)
    assert (checkpoint.origin, checkpoint.size, checkpoint.root_hash) == (ORIGIN, 1234, ROOT)
    assert checkpoint.timestamp == SIGNED_AT
    assert checkpoint.extensions == ("timestamp 2025-06-01T08:00:00Z",)
    assert checkpoint.key_name == ORIGIN
    assert checkpoint.note == note


def test_checkpoint_without_timestamp_and_empty_tree(log_key: Ed25519PrivateKey, log_vkey: str) -> None:
    empty_root = hashlib.sha256(b"").digest()
    checkpoint = parse_and_verify(sign_checkpoint(ORIGIN, 0, empty_root, log_key, ORIGIN), log_vkey)
    assert (checkpoint.size, checkpoint.root_hash, checkpoint.timestamp) == (0, empty_root, None)


@given(
    origin=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x2FFF, exclude_characters="+"), min_size=1),
    size=st.integers(0, 2**63),
    root=st.binary(min_size=32, max_size=32),
)
def test_any_tree_head_round_trips(origin: str, size: int, root: bytes) -> None:
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(origin.encode()).digest())
    origin = origin.strip() or "log"
    note = sign_checkpoint(origin, size, root, key, "lingtan-log", SIGNED_AT)
    checkpoint = parse_and_verify(note, verifier_key("lingtan-log", key.public_key()))
    assert (checkpoint.origin, checkpoint.size, checkpoint.root_hash) == (origin, size, root)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("\n1234\n", "\n1235\n"),
        (f"\n{base64.b64encode(ROOT).decode()}\n", f"\n{base64.b64encode(b'x' * 32).decode()}\n"),
    ],
)
def test_tampered_body_fails(log_key: Ed25519PrivateKey, log_vkey: str, old: str, new: str) -> None:
    note = sign_checkpoint(ORIGIN, 1234, ROOT, log_key, ORIGIN, SIGNED_AT)
    tampered = note.replace(old, new)
    assert tampered != note
    with pytest.raises(BadSignatureError):
        parse_and_verify(tampered, log_vkey)


def test_wrong_key_fails(log_key: Ed25519PrivateKey) -> None:
    note = sign_checkpoint(ORIGIN, 1234, ROOT, log_key, ORIGIN, SIGNED_AT)
    impostor = verifier_key(ORIGIN, Ed25519PrivateKey.generate().public_key())
    with pytest.raises(MissingSignatureError, match="no signature by the trusted key"):
        parse_and_verify(note, impostor)
    with pytest.raises(MissingSignatureError):
        parse_and_verify(note, PETER_VKEY)


def test_forged_signature_under_the_right_key_id_fails(log_key: Ed25519PrivateKey, log_vkey: str) -> None:
    forger = Ed25519PrivateKey.generate()
    text = f"{ORIGIN}\n9999\n{base64.b64encode(ROOT).decode()}\n"
    blob = key_id(ORIGIN, log_key.public_key()) + forger.sign(text.encode())
    forged = f"{text}\n\u2014 {ORIGIN} {base64.b64encode(blob).decode()}\n"
    with pytest.raises(BadSignatureError):
        parse_and_verify(forged, log_vkey)


def test_origin_must_match_when_expected(log_key: Ed25519PrivateKey, log_vkey: str) -> None:
    note = sign_checkpoint(ORIGIN, 1, ROOT, log_key, ORIGIN)
    with pytest.raises(OriginMismatchError, match="other.example/log"):
        parse_and_verify(note, log_vkey, expected_origin="other.example/log")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"{ORIGIN}\n1234\n", "origin, a tree size and a root hash"),
        (f"{ORIGIN}\n01234\n{base64.b64encode(ROOT).decode()}\n", "without leading zeros"),
        (f"{ORIGIN}\n-1\n{base64.b64encode(ROOT).decode()}\n", "without leading zeros"),
        (f"{ORIGIN}\n12\n{ROOT.hex()}\n", "root hash must be 32 bytes"),
        (f"{ORIGIN}\n12\nnot base64!\n", "not standard base64"),
        (f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}\n\nextra\n", "origin, a tree size and a root hash"),
        (f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}\ntimestamp yesterday\n", "RFC 3339"),
        (f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}\ntimestamp 2025-02-30T00:00:00Z\n", "not a valid"),
    ],
)
def test_signed_but_malformed_checkpoint_bodies_are_rejected(
    log_key: Ed25519PrivateKey, log_vkey: str, body: str, message: str
) -> None:
    with pytest.raises(MalformedCheckpointError, match=message):
        parse_and_verify(sign_note(body, log_key, ORIGIN), log_vkey)


def test_unknown_extension_lines_are_kept(log_key: Ed25519PrivateKey, log_vkey: str) -> None:
    body = f"{ORIGIN}\n12\n{base64.b64encode(ROOT).decode()}\nwitnessed-by example.org\n"
    checkpoint = parse_and_verify(sign_note(body, log_key, ORIGIN), log_vkey)
    assert checkpoint.extensions == ("witnessed-by example.org",)
    assert checkpoint.timestamp is None


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("PeterNeumann+c74f20a3", "<name>\\+<key id>\\+<key>"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match the key"),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 lowercase hex"),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "0x01 followed by"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "base64"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "non-empty"),
    ],
)
def test_malformed_verifier_keys_are_rejected(vkey: str, message: str) -> None:
    with pytest.raises(MalformedVerifierKeyError, match=message):
        parse_verifier_key(vkey)


def test_signing_inputs_are_checked(log_key: Ed25519PrivateKey) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_checkpoint(ORIGIN, 1, ROOT, log_key, ORIGIN, datetime(2025, 6, 1))
    with pytest.raises(MalformedCheckpointError, match="32 bytes"):
        sign_checkpoint(ORIGIN, 1, ROOT[:31], log_key, ORIGIN)
    with pytest.raises(MalformedCheckpointError, match=">= 0"):
        sign_checkpoint(ORIGIN, -1, ROOT, log_key, ORIGIN)
    with pytest.raises(MalformedCheckpointError, match="one non-empty line"):
        sign_checkpoint("two\nlines", 1, ROOT, log_key, ORIGIN)
    with pytest.raises(MalformedVerifierKeyError, match="without spaces"):
        sign_checkpoint(ORIGIN, 1, ROOT, log_key, "a name")
    with pytest.raises(MalformedNoteError, match="end with a newline"):
        sign_note("no newline", log_key, ORIGIN)


def test_vkey_whose_base64_contains_plus_signs_parses() -> None:
    seed = 0
    while True:
        key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.to_bytes(4, "big")).digest())
        vkey = verifier_key(ORIGIN, key.public_key())
        if "+" in vkey.split("+", 2)[2]:
            break
        seed += 1
    note = sign_checkpoint(ORIGIN, 7, ROOT, key, ORIGIN, SIGNED_AT)
    assert parse_and_verify(note, vkey).size == 7
