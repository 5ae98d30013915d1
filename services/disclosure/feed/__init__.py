"""The read model: what other services told disclosure, one latest state per record."""
