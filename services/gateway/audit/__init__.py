"""The audit trail of administrative actions: who, what, when, from where."""
