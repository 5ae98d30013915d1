"""What every public endpoint shares: strict query strings, caching validators, exact quantities."""
