"""bordersim.engine layer."""
