"""DESIGN.md's layers, enforced: a lower layer never imports a higher one.

    cli > web > api > report > experiments > plan > engine > model > scenario

``bordersim/__init__.py`` re-exports the api layer (lazily); it is not itself a layer.

Every module of the package is parsed (imports inside functions count too). The plan layer has one
more rule: it uses the model's functions and never the engine; and the web page uses the public API
and nothing below it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ORDER = ("scenario", "model", "engine", "plan", "experiments", "report", "api", "web", "cli")
SRC = Path(__file__).resolve().parents[1] / "src" / "bordersim"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "bordersim" and len(parts) > 1 and parts[1] in ORDER:
                found.add(parts[1])
    return found


MODULES = sorted(p for layer in ORDER for p in (SRC / layer).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_lower_layer_imports_a_higher_one(path: Path) -> None:
    layer = path.relative_to(SRC).parts[0]
    higher = {other for other in _imports(path) if ORDER.index(other) > ORDER.index(layer)}
    assert not higher, f"{layer} module imports the higher layer(s) {sorted(higher)}"
    if layer == "plan":
        assert "engine" not in _imports(path), "the planner must not use the engine"
    if layer == "web":
        below = _imports(path) - {"api", "web"}
        assert not below, f"the web page uses only the public API, not {sorted(below)}"


def test_every_layer_is_checked() -> None:
    assert {p.relative_to(SRC).parts[0] for p in MODULES} == set(ORDER)
