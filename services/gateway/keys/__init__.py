"""Token signing keys: ES256, rotated, and published as JWKS until the last token they signed expires."""
