"""bordersim.report layer."""
