"""Offline verification of the log; moved to shared.transparency.verify, re-exported here."""

# ruff: noqa: F405 - the names in __all__ come from the star import, which is the point of this module
from shared.transparency.verify import *  # noqa: F403

__all__ = [
    "VerificationError",
    "decode_hash",
    "entry_bytes",
    "RetirementProofBundle",
    "ConsistencyBundle",
    "InclusionVerified",
    "ConsistencyVerified",
    "EntriesVerified",
    "verify_retirement_proof",
    "verify_log_consistency",
    "verify_entries",
]
