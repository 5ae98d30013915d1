"""Database plumbing that behaves the same on the embedded SQLite default and on PostgreSQL."""
