"""Lingtan services: accounting, registry, certification and disclosure."""
