"""Routing `/{service}/**` to the services, with rate limits."""
