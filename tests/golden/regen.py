"""Rewrite the golden ``--json`` fixture: ``python tests/golden/regen.py``.

Only for a commit that names the field that changed and why (see ``cases.py``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # a script run by hand; pytest uses its pythonpath

from golden.outputs import golden_outputs  # noqa: E402


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
