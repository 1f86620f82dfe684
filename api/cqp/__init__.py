"""Component Quality Planning, api layer."""
