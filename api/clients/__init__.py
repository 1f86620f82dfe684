"""Client registry and risk assessment, api layer."""
