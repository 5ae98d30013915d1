"""The append-only log: Merkle tree, signed checkpoints and offline verification."""
