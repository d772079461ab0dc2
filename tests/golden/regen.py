"""Rewrite the golden ``--json`` fixture: ``cd tests && python -m golden.regen``.

Run as a module from ``tests/`` so that the ``golden`` package imports plainly (pytest finds it through
its ``pythonpath``), without editing ``sys.path``.

Only for a commit that names the field that changed and why (see ``cases.py``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from golden.outputs import golden_outputs

HERE = Path(__file__).resolve().parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        outputs = golden_outputs(Path(tmp))
    for stale in HERE.glob("*.out"):
        if stale.stem not in outputs:
            stale.unlink()
    for name, text in outputs.items():
        (HERE / f"{name}.out").write_text(text, encoding="utf-8")
    print(f"wrote {len(outputs)} golden outputs to {HERE}")


if __name__ == "__main__":
    main()
