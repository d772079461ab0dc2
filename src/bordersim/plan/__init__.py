"""bordersim.plan layer."""
