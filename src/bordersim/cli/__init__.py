"""bordersim.cli layer: the `bordersim` command (typer + rich), a thin layer over bordersim.api."""

from bordersim.cli.app import app, main

__all__ = ["app", "main"]
