"""Component Quality Planning, projections layer."""
