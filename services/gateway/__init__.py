"""The gateway: OAuth 2.0 authorization server for client credentials, and the one origin in front of the services."""
