"""Demo data, application layer."""
