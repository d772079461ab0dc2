"""Writing a run's outputs atomically: results (Zarr via xarray), summary.csv, manifest.json.

Everything is written into a temporary sibling directory and renamed into place at the end, so an
interrupted run never leaves a half-written result directory behind.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bordersim.engine.results import Results, _clean


def write_run(
    results: Results, out: Path, command: list[str], extra: Mapping[str, Any] | None = None
) -> Path:
    """Write results under ``out`` (replacing a previous run there) and return the path.

    ``extra`` adds keys to manifest.json (the API records a scenario's overrides there).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        ds = results.to_xarray()
        ds.to_zarr(tmp / "results.zarr", mode="w", consolidated=True, zarr_format=2)
        rows = results.summary_rows()
        with (tmp / "summary.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["actor"])
            writer.writeheader()
            writer.writerows(_clean(rows))
        (tmp / "summary.json").write_text(results.summary_json() + "\n", encoding="utf-8")
        manifest: dict[str, Any] = {**results.provenance(), **(extra or {}), "command": command}
        (tmp / "manifest.json").write_text(
            json.dumps(_clean(manifest), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
