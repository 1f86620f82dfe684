"""Compliance, application layer."""
