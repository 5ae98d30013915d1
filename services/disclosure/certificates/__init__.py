"""Certificates, their live status, and verifying their signatures."""
