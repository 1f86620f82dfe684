"""Staff and access, api layer."""
