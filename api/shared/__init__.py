"""What every context of the api layer uses."""
