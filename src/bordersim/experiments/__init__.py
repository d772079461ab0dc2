"""bordersim.experiments layer."""
