"""Pure verification of transparency logs: RFC 9162 Merkle proofs, C2SP signed-note checkpoints, and the
offline checks auditors and services run against the registry's log. No database, no HTTP."""
