"""Inventories: the actual activity lines of an event, calculated, submitted, amended in versions."""
