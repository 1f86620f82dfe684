"""Client registry and risk assessment, adapters layer."""
