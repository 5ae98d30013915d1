"""Inventories: activity lines, unit conversion, emissions with a per-line trace, and estimates."""
