"""The OAuth 2.0 endpoints: token (client credentials), RFC 8414 metadata and the JWKS."""
