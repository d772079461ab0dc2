"""Placeholders: the numbers and names ``bordersim new`` could not know, and how to find those left.

A new border's forces, threats and terrain parameters are written as placeholders: quantities whose
evidence is ``assumed`` with a rationale beginning :data:`PLACEHOLDER`, and text fields (a name, a
far-side district) beginning ``placeholder:``. They make a complete scenario that runs, so that a user
can see the whole workflow at once; ``bordersim validate`` lists every one left (:func:`placeholders`)
so the user knows what is still to be found out.
"""

from __future__ import annotations

import re
from typing import Any

from bordersim.scenario.schema import Scenario

PLACEHOLDER = "placeholder: replace with a source"
_TEXT_MARK = "placeholder:"


def is_placeholder(text: str) -> bool:
    """True for a rationale or a text field that marks a placeholder."""
    return text.strip().lower().startswith(_TEXT_MARK)


def placeholders(sc: Scenario) -> list[str]:
    """Every placeholder left in a scenario, one line each, in file order.

    A ledger entry that is a placeholder is listed once with the field paths of the quantities that
    use it; text fields that repeat (a far-side district per sector) are listed once with ``[*]`` and
    a count.
    """
    users: dict[str, list[str]] = {}
    inline: list[str] = []
    for name, q in sc.quantities():
        if q.evidence is not None:
            users.setdefault(q.evidence, []).append(name)
        elif q.assumed is not None and is_placeholder(q.assumed.rationale):
            inline.append(f"{name}: {q.assumed.rationale}")
    out = []
    for key, ev in sc.evidence.items():
        if ev.assumed is not None and not ev.claims and is_placeholder(ev.assumed.rationale):
            used = users.get(key, [])
            where = ", ".join(used[:4]) + (f" and {len(used) - 4} more" if len(used) > 4 else "")
            out.append(f"evidence.{key} (used by {where or 'nothing'})")
    out += inline
    texts: dict[str, list[str]] = {}
    _walk_text(sc.model_dump(mode="json", exclude={"evidence"}), "", texts)
    for path, values in texts.items():
        count = f" ({len(values)} fields)" if len(values) > 1 else ""
        out.append(f"{path}{count}: {values[0]}")
    return out


def _walk_text(obj: Any, path: str, out: dict[str, list[str]]) -> None:
    if isinstance(obj, str):
        if is_placeholder(obj):
            out.setdefault(re.sub(r"\[\d+\]", "[*]", path), []).append(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if k == "assumed":  # a quantity's own rationale: listed with the quantity
                continue
            _walk_text(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            _walk_text(v, f"{path}[{i}]", out)


def placeholder_report(sc: Scenario) -> list[str]:
    """The lines ``bordersim validate`` prints (as a warning, exit code 0) when placeholders remain."""
    left = placeholders(sc)
    if not left:
        return []
    head = f"warning: {len(left)} placeholder{'s' if len(left) != 1 else ''} left ({PLACEHOLDER}):"
    return [head, *(f"  {p}" for p in left)]
