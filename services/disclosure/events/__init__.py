"""Disclosed events: the public list and each event's profile-allowed fields."""
