"""Test support: a running platform, clients and tokens."""
