"""Suitability and purchases, api layer."""
