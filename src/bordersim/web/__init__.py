"""bordersim.web layer: the what-if page (``bordersim serve``), a thin layer over :mod:`bordersim`.

:func:`serve` starts the local server; :class:`~bordersim.web.runner.Runner` and
:mod:`~bordersim.web.settings` hold what the page computes and what its URL says, without web code.
Panel is imported only by :mod:`bordersim.web.app` and :mod:`bordersim.web.server`.
"""

from bordersim.web.runner import Runner, Superseded, View
from bordersim.web.settings import Settings, from_query, to_query

__all__ = ["Runner", "Settings", "Superseded", "View", "from_query", "to_query"]
