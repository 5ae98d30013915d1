"""Lingtan (零碳): carbon-neutral large events, from accounting to a certificate anyone can verify."""
