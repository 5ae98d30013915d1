"""Certificate status: the W3C Bitstring Status List that publishes revocations."""
