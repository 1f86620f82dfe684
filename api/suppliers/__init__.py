"""Supplier quality, api layer."""
