"""The knowledge base, api layer: what other contexts use."""
