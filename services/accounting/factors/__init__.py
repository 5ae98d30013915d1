"""The emission factor library: versioned factors, each with its source."""
