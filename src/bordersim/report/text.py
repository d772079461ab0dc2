"""Names made safe for the two places the report shows them: the page and matplotlib's figures.

Scenario names (actors, sectors, crossings, bases) are user input. In the HTML, Jinja2's autoescaping
makes ``<script>`` text; what it does not remove are control characters, which :func:`clean_text`
strips (every ``{{ }}`` in the templates passes through it). In a figure, matplotlib reads a pair of
``$`` as mathtext and raises on what does not parse (``$x^2$`` in an actor's name), so
:func:`mpl_text` also escapes every ``$``: matplotlib shows ``\\$`` as a plain dollar sign.
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "mpl_text"]

# C0 controls except tab and newline, DEL, and the C1 controls
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")


def clean_text(text: object) -> str:
    """``text`` as a string without control characters (tab and newline are kept)."""
    return _CONTROL.sub("", str(text))


def mpl_text(text: object) -> str:
    """``text`` safe for a matplotlib text artist: one line, no control characters, ``$`` escaped
    so that mathtext never parses it (``"a $x$"`` is drawn as written)."""
    one_line = _WHITESPACE.sub(" ", clean_text(text)).strip()
    return one_line.replace("$", "\\$")
