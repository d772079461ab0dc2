"""What every command shares: the consoles, ``fail``, loading a scenario or exiting, and options.

User errors (a bad scenario file, an unknown policy or quantity, a malformed date) print one clear
message and exit with code 2, with no traceback and nothing written.

The consoles take their width from the terminal, or from ``COLUMNS`` when output is piped (80 when
neither says), so that tables fit what shows them; ``--wide`` asks for the full tables regardless.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from bordersim import api
from bordersim.scenario.builtin import DEFAULT_SCENARIO
from bordersim.scenario.options import bounded_date

if TYPE_CHECKING:
    from bordersim.api import Scenario

__all__ = [
    "AllowOutsideOpt",
    "JsonOpt",
    "ScenarioArg",
    "SetOpt",
    "WideOpt",
    "console",
    "err_console",
    "fail",
    "load_or_fail",
    "parse_date",
    "parse_sets",
    "replication_progress",
    "show_progress",
    "with_policy_file",
    "with_sets",
]

console = Console()
err_console = Console(stderr=True)

ScenarioArg = Annotated[
    str | None,
    typer.Argument(help=f"built-in scenario name or YAML file (default {DEFAULT_SCENARIO})"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the result as JSON")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="override a quantity by its ledger name (`bordersim sources`): NAME=VALUE; repeatable",
    ),
]
AllowOutsideOpt = Annotated[
    bool,
    typer.Option(
        "--allow-outside-range",
        help="let --set go outside the quantity's range (marked in the manifest)",
    ),
]
WideOpt = Annotated[
    bool, typer.Option("--wide", help="full tables with every CI, however wide the terminal")
]


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit with code 2."""
    err_console.print(
        f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True, markup=True
    )
    raise typer.Exit(code=2)


def load_or_fail(name_or_path: str | None) -> Scenario:
    """The scenario of a built-in name or a YAML path (default: the default built-in), or exit 2."""
    try:
        return api.load(name_or_path)
    except (FileNotFoundError, api.ScenarioError) as exc:
        fail(str(exc))


def parse_date(text: str | None, option: str = "--start") -> dt.date | None:
    """``text`` as a date, or exit 2 naming ``option``."""
    if text is None:
        return None
    try:
        return bounded_date(text, option)
    except ValueError as exc:
        fail(str(exc))


def with_policy_file(sc: Scenario, path: Path | None) -> Scenario:
    """``sc`` with the one policy of a YAML policy file added, or exit 2 with located problems."""
    if path is None:
        return sc
    try:
        return sc.with_policy_file(path)
    except api.PolicyFileError as exc:
        fail(str(exc))


def parse_sets(items: Sequence[str]) -> dict[str, float]:
    """``NAME=VALUE`` options as a mapping, or exit 2 naming the malformed option."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            fail(f"--set {item!r}: expected NAME=VALUE (names as `bordersim sources` lists them)")
        try:
            out[name] = float(text)
        except ValueError:
            fail(f"--set {item!r}: {text.strip()!r} is not a number")
    return out


def with_sets(sc: Scenario, items: Sequence[str], allow_outside_range: bool) -> Scenario:
    """``sc`` with the ``--set NAME=VALUE`` overrides applied, or exit 2 naming the problem."""
    if not items:
        return sc
    values = parse_sets(items)
    try:
        return sc.with_overrides(values, allow_outside_range=allow_outside_range)
    except api.OverrideError as exc:
        fail(f"--set {exc}")


@contextmanager
def replication_progress(total: int, show: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for ``total`` replications, handing out its advance callback
    (``None`` and no bar when ``show`` is false)."""
    if not show:
        yield None
        return
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} replications"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("simulating", total=total)
        yield lambda n: progress.advance(task, n)


def show_progress(json_out: bool) -> bool:
    """Progress bars only for a person watching: not with ``--json`` or a redirected stderr."""
    return not json_out and sys.stderr.isatty()
