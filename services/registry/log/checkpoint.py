"""Signed checkpoints (C2SP signed notes); moved to shared.transparency.checkpoint, re-exported here."""

# ruff: noqa: F405 - the names in __all__ come from the star import, which is the point of this module
from shared.transparency.checkpoint import *  # noqa: F403

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
