"""What every context of the application layer uses."""
