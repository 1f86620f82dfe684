"""What every context of the projections layer uses."""
