"""Service desk, api layer."""
