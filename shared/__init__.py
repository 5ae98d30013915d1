"""The kernel every Lingtan service shares: settings, database, errors, auth, outbox, HTTP."""
