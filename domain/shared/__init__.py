"""What every context of the domain layer uses."""
