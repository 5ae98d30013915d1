"""Open data: CSV and JSON exports of the disclosed records."""
