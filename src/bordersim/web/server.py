"""Start the what-if server: check the port, build one page per browser session, serve offline.

The port is checked before Panel starts (a port in use or out of range is one message), and the
server binds to 127.0.0.1 only: the page is a local tool, not a public service.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

import bordersim as bs
from bordersim.web.runner import Runner

__all__ = ["PortError", "check_port", "make_app", "serve"]

HOST = "127.0.0.1"


class PortError(ValueError):
    """The port cannot be used (out of range, or taken)."""


def check_port(port: int) -> None:
    """Raise :class:`PortError` unless ``port`` is in 1-65535 and free on 127.0.0.1 (0: any)."""
    if not 0 <= port <= 65535:
        raise PortError(f"--port {port}: a port is a number from 1 to 65535 (0: any free port)")
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortError(f"--port {port}: already in use on {HOST}") from None
            raise PortError(f"--port {port}: cannot listen on {HOST}: {exc.strerror}") from None


def make_app(scenario: bs.Scenario) -> Any:
    """The Panel app factory: one :class:`~bordersim.web.app.WhatIf` per browser session, sharing
    one :class:`Runner` (and so its cached baselines)."""
    import panel as pn  # the web stack loads only when a page is served

    from bordersim.web.app import WhatIf

    runner = Runner(scenario)

    def page() -> Any:
        session = WhatIf(scenario, runner)
        query = dict(pn.state.session_args.items()) if pn.state.session_args else {}
        session.apply_query({k: v[0].decode("utf-8", "replace") for k, v in query.items()})
        pn.state.onload(session.schedule)
        return session.view()

    return page


def serve(scenario: bs.Scenario, *, port: int = 5006, open_browser: bool = True) -> None:
    """Serve the what-if page for ``scenario`` until interrupted (raises :class:`PortError`)."""
    import panel as pn

    check_port(port)
    pn.extension(design="native")
    pn.serve(
        {"/": make_app(scenario)},
        port=port,
        address=HOST,
        show=open_browser,
        title=f"bordersim what-if: {scenario.id}",
        threaded=False,
        websocket_origin=[f"{HOST}:{port}", f"localhost:{port}"] if port else None,
        print_url=True,
    )
