"""The audit trail of administrative actions on the disclosure service."""
