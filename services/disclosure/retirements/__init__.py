"""Retirements, donations and external cancellations as the public sees them."""
