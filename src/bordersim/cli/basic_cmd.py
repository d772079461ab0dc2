"""`bordersim scenarios` and `bordersim validate`: what is built in, and is this file sound."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from bordersim.cli.common import console, load_or_fail
from bordersim.scenario.builtin import DEFAULT_SCENARIO, describe_builtins

__all__ = ["scenarios", "validate"]


def scenarios() -> None:
    """List the built-in scenarios."""
    table = Table(title="Built-in scenarios")
    table.add_column("name", style="bold")
    table.add_column("description")
    for name, title in describe_builtins():
        table.add_row(name + (" (default)" if name == DEFAULT_SCENARIO else ""), title)
    console.print(table)


def validate(
    file: Annotated[str, typer.Argument(help="scenario YAML file or built-in name")],
) -> None:
    """Check a scenario file: schema, evidence, consistency. Exit code 2 if invalid."""
    loaded = load_or_fail(file)
    sc = loaded.model
    n_q = sum(1 for _ in sc.quantities())
    console.print(
        f"[green]ok[/] {loaded.path}: scenario {sc.id!r}, {len(sc.border.sectors)} sectors, "
        f"{len(sc.units)} units, {len(sc.actors)} actors, {len(sc.timeline)} timeline events, "
        f"{n_q} quantities with evidence",
        soft_wrap=True,  # one line; the terminal wraps it, not rich
    )
    from bordersim.scenario.placeholders import placeholder_report  # the schema (pydantic): lazy

    for line in placeholder_report(sc):  # bordersim new's placeholders: a warning, not a failure
        print(line, file=sys.stderr)
