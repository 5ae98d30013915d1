"""Access tokens: verification (python-jose, confined to jose_verifier), key caches and FastAPI dependencies."""
