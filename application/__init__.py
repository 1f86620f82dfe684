"""The command side: one method per command; it loads, decides, saves."""
