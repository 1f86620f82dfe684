"""Scripts run from the project root (``python -m scripts.…``)."""
