"""The `bordersim` command: each subcommand is a plain function in its ``*_cmd.py`` module, registered
here in the order ``bordersim --help`` lists them.

The commands are thin layers over :mod:`bordersim.api` (run, compare, optimize, engage) and the
layers below it. User errors print one clear message and exit with code 2, with no traceback and
nothing written (see :func:`bordersim.cli.common.fail`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import typer

from bordersim.cli.basic_cmd import scenarios, validate
from bordersim.cli.calibrate_cmd import calibrate
from bordersim.cli.compare_cmd import compare
from bordersim.cli.engage_cmd import engage
from bordersim.cli.errors import guard
from bordersim.cli.new_cmd import export, new
from bordersim.cli.optimize_cmd import optimize
from bordersim.cli.report_cmd import report
from bordersim.cli.robust_cmd import robust
from bordersim.cli.run_cmd import run
from bordersim.cli.serve_cmd import serve
from bordersim.cli.sources_cmd import sources
from bordersim.cli.sweep_cmd import sensitivity, sweep

__all__ = ["app", "main"]


def _help(command: Callable[..., object]) -> str:
    """A command's docstring with each paragraph on one line: typer would keep the source's line
    breaks, which wrap mid-sentence in a narrow terminal."""
    doc = inspect.getdoc(command) or ""
    return "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n"))


app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Simulate, compare and plan the security of a long land border.",
)

for command in (scenarios, validate, new, export, run, sources, report, compare, robust, engage,
                optimize, sweep, sensitivity, calibrate, serve):  # fmt: skip
    app.command(help=_help(command))(command)


def main() -> None:
    """Entry point of the console script: an exception that escapes a command is one line and exit
    2 (``--debug`` shows the traceback; see :mod:`bordersim.cli.errors`)."""
    guard(app)()
