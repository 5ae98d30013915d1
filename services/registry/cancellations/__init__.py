"""Cancellations made in external registries and the serial ranges they cover."""
