"""bordersim.scenario layer."""
