"""`bordersim serve`: the what-if page in the browser, a thin layer over bordersim.web."""

from __future__ import annotations

from typing import Annotated

import typer

from bordersim.cli.common import ScenarioArg, fail, load_or_fail


def serve(
    scenario: ScenarioArg = None,
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (0: any free port)")] = 5006,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="do not open a browser")] = False,
) -> None:
    """Serve the what-if page: levers, map, series and the difference against the baseline."""
    from bordersim.web.server import PortError, check_port  # Panel: slow
    from bordersim.web.server import serve as serve_page

    sc = load_or_fail(scenario)
    try:
        check_port(port)
    except PortError as exc:
        fail(str(exc))
    serve_page(sc, port=port, open_browser=not no_browser)
