"""Random audits of certified events."""
