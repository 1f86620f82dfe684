"""HTTP routes and the CLI: they only translate."""
