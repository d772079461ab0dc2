"""bordersim.cli layer: the `bordersim` command (typer + rich), a thin layer over bordersim.api.

The typer application is ``bordersim.cli.app.app`` (not re-exported here, so that the name
``bordersim.cli.app`` keeps meaning the module).
"""

from bordersim.cli.app import main

__all__ = ["main"]
