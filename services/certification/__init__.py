"""Certification service: applications, checks, signed certificates, random audits and revocation."""
