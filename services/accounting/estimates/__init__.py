"""Stateless estimates for mobile and web calculators."""
