"""What every context of the adapters layer uses."""
