"""The disclosure service."""
