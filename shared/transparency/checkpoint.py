"""Signed checkpoints of the log: C2SP tlog-checkpoint bodies in C2SP signed notes, signed with Ed25519.

A checkpoint note looks like this (every line ends with a newline, U+000A)::

    lingtan.example/registry/log          <- origin: names the log
    1234                                  <- tree size, decimal, no leading zeros
    3q2+7w...base64 of the 32-byte root=  <- root hash, standard base64 (RFC 4648 §4)
    timestamp 2025-06-01T08:00:00Z        <- optional extension line (see below)
                                          <- one blank line ends the signed text
    — lingtan.example/registry/log AbCd...base64(4-byte key ID || 64-byte Ed25519 signature)

The signed text is everything up to and including the newline before the blank line. A signature
line is an em dash (U+2014), a space, the key name, a space, and base64 of the key ID followed by
the Ed25519 signature over the signed text. The key ID is the first 4 bytes of
SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key), 0x01 being the Ed25519 type.
The key name should equal the origin.

The log's public key travels as a verifier key (vkey), the format of golang.org/x/mod/sumdb/note::

    <key name>+<key ID as 8 lowercase hex digits>+<base64(0x01 || 32-byte public key)>

Timestamp: Lingtan adds one extension line, ``timestamp <RFC 3339 UTC time, whole seconds, Z>``,
so an auditor can see when the log signed a tree head. It is covered by the log's signature only:
the Merkle tree does not commit to it, so it records the log's claim, not an auditable fact.
Other extension lines are kept verbatim and not interpreted.

Verification follows the signed-note rules: unknown signatures are ignored, a signature by the
trusted key must verify, and at least one must be present. Every failure raises a subclass of
``CheckpointError`` whose message says what was wrong.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "ED25519_TYPE",
    "SIGNATURE_PREFIX",
    "TIMESTAMP_EXTENSION",
    "MAX_SIGNATURES",
    "CheckpointError",
    "MalformedNoteError",
    "MalformedVerifierKeyError",
    "MissingSignatureError",
    "BadSignatureError",
    "MalformedCheckpointError",
    "OriginMismatchError",
    "VerifierKey",
    "Checkpoint",
    "key_id",
    "verifier_key",
    "parse_verifier_key",
    "sign_note",
    "open_note",
    "format_timestamp",
    "checkpoint_body",
    "sign_checkpoint",
    "parse_and_verify",
]

ED25519_TYPE = b"\x01"
SIGNATURE_PREFIX = "\u2014 "
TIMESTAMP_EXTENSION = "timestamp "
MAX_SIGNATURES = 100
_ROOT_SIZE = 32
_SIZE_RE = re.compile(r"0|[1-9][0-9]*")
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class CheckpointError(ValueError):
    """A checkpoint, signed note or verifier key failed to parse or verify."""


class MalformedNoteError(CheckpointError):
    """The text is not a well-formed signed note."""


class MalformedVerifierKeyError(CheckpointError):
    """The verifier key string is not a valid Ed25519 vkey."""


class MissingSignatureError(CheckpointError):
    """The note carries no signature by the trusted key."""


class BadSignatureError(CheckpointError):
    """A signature by the trusted key does not verify over the note text."""


class MalformedCheckpointError(CheckpointError):
    """The signed text is not a valid checkpoint body."""


class OriginMismatchError(CheckpointError):
    """The checkpoint names a different log than the one expected."""


@dataclass(frozen=True)
class VerifierKey:
    """A parsed vkey: key name, 4-byte key ID and the Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    @property
    def public_bytes(self) -> bytes:
        """The 32-byte raw public key."""
        return self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Checkpoint:
    """A verified checkpoint: which log, how many leaves, the root hash, and when it was signed."""

    origin: str
    size: int
    root_hash: bytes
    timestamp: datetime | None
    extensions: tuple[str, ...]
    key_name: str
    note: str


def _check_key_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise MalformedVerifierKeyError(f"key name {name!r} must be non-empty, without spaces or '+'")


def key_id(key_name: str, public_key: Ed25519PublicKey) -> bytes:
    """The 4-byte signed-note key ID of an Ed25519 key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(key_name.encode() + b"\n" + ED25519_TYPE + raw).digest()[:4]


def verifier_key(key_name: str, public_key: Ed25519PublicKey) -> str:
    """Format the vkey string that auditors configure to trust this key."""
    _check_key_name(key_name)
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    encoded = base64.b64encode(ED25519_TYPE + raw).decode()
    return f"{key_name}+{key_id(key_name, public_key).hex()}+{encoded}"


def _b64decode(value: str, what: str, error: type[CheckpointError]) -> bytes:
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise error(f"{what} is not standard base64: {value!r}") from exc
    if base64.b64encode(decoded).decode() != value:
        raise error(f"{what} is not canonical base64: {value!r}")
    return decoded


def parse_verifier_key(vkey: str) -> VerifierKey:
    """Parse and check a vkey ``<name>+<hex key ID>+<base64(0x01 || public key)>``."""
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise MalformedVerifierKeyError(f"verifier key must be <name>+<key id>+<key>, got {vkey!r}")
    name, id_hex, encoded = parts
    _check_key_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", id_hex):
        raise MalformedVerifierKeyError(f"verifier key ID must be 8 lowercase hex digits, got {id_hex!r}")
    key = _b64decode(encoded, "verifier key", MalformedVerifierKeyError)
    if len(key) != 33 or key[:1] != ED25519_TYPE:
        raise MalformedVerifierKeyError("verifier key must be 0x01 followed by a 32-byte Ed25519 public key")
    public_key = Ed25519PublicKey.from_public_bytes(key[1:])
    expected = key_id(name, public_key)
    if expected.hex() != id_hex:
        raise MalformedVerifierKeyError(f"verifier key ID {id_hex} does not match the key (expected {expected.hex()})")
    return VerifierKey(name=name, key_id=expected, public_key=public_key)


def _check_note_characters(text: str) -> None:
    for c in text:
        if c < " " and c != "\n":
            raise MalformedNoteError(f"note contains the control character U+{ord(c):04X}")


def sign_note(text: str, private_key: Ed25519PrivateKey, key_name: str) -> str:
    """Sign a note text (non-empty, ending in a newline) and return the signed note."""
    _check_key_name(key_name)
    _check_note_characters(text)
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must be non-empty and end with a newline")
    signature = private_key.sign(text.encode())
    blob = key_id(key_name, private_key.public_key()) + signature
    return f"{text}\n{SIGNATURE_PREFIX}{key_name} {base64.b64encode(blob).decode()}\n"


def open_note(note: str | bytes, vkey: str | VerifierKey) -> str:
    """Verify a signed note against the trusted key and return its signed text."""
    key = vkey if isinstance(vkey, VerifierKey) else parse_verifier_key(vkey)
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNoteError("note is not valid UTF-8") from exc
    _check_note_characters(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("note has no blank line separating the text from its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block.endswith("\n"):
        raise MalformedNoteError("note must end with a signature line and a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"note has {len(lines)} signatures, more than the {MAX_SIGNATURES} accepted")
    verified = False
    for number, line in enumerate(lines, start=1):
        name, blob = _parse_signature_line(line, number)
        if name != key.name or blob[:4] != key.key_id:
            continue
        try:
            key.public_key.verify(blob[4:], text.encode())
        except InvalidSignature as exc:
            raise BadSignatureError(f"signature by {key.name}+{key.key_id.hex()} does not verify") from exc
        verified = True
    if not verified:
        raise MissingSignatureError(f"note has no signature by the trusted key {key.name}+{key.key_id.hex()}")
    return text


def _parse_signature_line(line: str, number: int) -> tuple[str, bytes]:
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNoteError(f"signature line {number} must start with an em dash and a space")
    fields = line[len(SIGNATURE_PREFIX) :].split(" ")
    if len(fields) != 2 or not fields[0] or any(c.isspace() or c == "+" for c in fields[0]):
        raise MalformedNoteError(f"signature line {number} must be '\u2014 <key name> <base64 signature>'")
    blob = _b64decode(fields[1], f"signature on line {number}", MalformedNoteError)
    if len(blob) < 5:
        raise MalformedNoteError(f"signature on line {number} is too short to hold a key ID and a signature")
    return fields[0], blob


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with whole seconds, the form used in the timestamp extension line."""
    if moment.tzinfo is None:
        raise ValueError("checkpoint timestamp must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def checkpoint_body(origin: str, size: int, root: bytes, timestamp: datetime | None = None) -> str:
    """The checkpoint note text for a tree head, with the timestamp extension line when given."""
    if not origin or origin != origin.strip() or "\n" in origin:
        raise MalformedCheckpointError(f"origin must be one non-empty line without surrounding spaces: {origin!r}")
    if size < 0:
        raise MalformedCheckpointError(f"tree size must be >= 0, got {size}")
    if len(root) != _ROOT_SIZE:
        raise MalformedCheckpointError(f"root hash must be {_ROOT_SIZE} bytes, got {len(root)}")
    body = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"
    if timestamp is not None:
        body += f"{TIMESTAMP_EXTENSION}{format_timestamp(timestamp)}\n"
    return body


def sign_checkpoint(
    origin: str,
    size: int,
    root: bytes,
    private_key: Ed25519PrivateKey,
    key_name: str,
    timestamp: datetime | None = None,
) -> str:
    """Sign a tree head and return the checkpoint note text."""
    return sign_note(checkpoint_body(origin, size, root, timestamp), private_key, key_name)


def parse_and_verify(note: str | bytes, vkey: str | VerifierKey, expected_origin: str | None = None) -> Checkpoint:
    """Verify a checkpoint note's signature by ``vkey`` and parse its body; raise CheckpointError."""
    key = vkey if isinstance(vkey, VerifierKey) else parse_verifier_key(vkey)
    text = open_note(note, key)
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not all(lines):
        raise MalformedCheckpointError("checkpoint must have an origin, a tree size and a root hash line")
    origin, size_line, root_line, *extensions = lines
    if not _SIZE_RE.fullmatch(size_line):
        raise MalformedCheckpointError(f"tree size must be a decimal number without leading zeros: {size_line!r}")
    root = _b64decode(root_line, "root hash", MalformedCheckpointError)
    if len(root) != _ROOT_SIZE:
        raise MalformedCheckpointError(f"root hash must be {_ROOT_SIZE} bytes, got {len(root)}")
    if expected_origin is not None and origin != expected_origin:
        raise OriginMismatchError(f"checkpoint is from log {origin!r}, expected {expected_origin!r}")
    return Checkpoint(
        origin=origin,
        size=int(size_line),
        root_hash=root,
        timestamp=_parse_timestamp(extensions),
        extensions=tuple(extensions),
        key_name=key.name,
        note=note if isinstance(note, str) else note.decode(),
    )


def _parse_timestamp(extensions: list[str]) -> datetime | None:
    stamps = [line for line in extensions if line.startswith(TIMESTAMP_EXTENSION)]
    if not stamps:
        return None
    if len(stamps) > 1:
        raise MalformedCheckpointError("checkpoint has more than one timestamp line")
    value = stamps[0][len(TIMESTAMP_EXTENSION) :]
    if not _TIMESTAMP_RE.fullmatch(value):
        raise MalformedCheckpointError(f"timestamp must be RFC 3339 UTC like 2025-06-01T08:00:00Z, got {value!r}")
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise MalformedCheckpointError(f"timestamp {value!r} is not a valid date and time") from exc
