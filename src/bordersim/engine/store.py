"""Writing a run's outputs: results (Zarr via xarray), summary.csv with its column metadata,
summary.json and the manifest, through :mod:`bordersim.engine.rundir` (atomic, locked, and never
removing what the run did not write).

Every Zarr variable carries CF ``units`` and ``long_name`` attributes; the CSV's columns carry theirs
in a W3C CSV-on-the-Web sidecar, ``summary.csv-metadata.json`` (the standard place a CSV reader
looks for column titles and units), so the CSV itself stays a plain table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bordersim.engine.results import Results
from bordersim.engine.rundir import Artefact, clean_json, dumps_json, write_dir
from bordersim.model.metrics import summary_metric

#: What ``write_run`` owns in a run directory (the manifest lists it under "run");
#: ``input_draws.csv`` only when the run carries input uncertainty.
RUN_ARTEFACTS = (
    "results.zarr",
    "summary.csv",
    "summary.csv-metadata.json",
    "summary.json",
    "input_draws.csv",
)


def _column(name: str) -> dict[str, Any]:
    """CSVW column description of a summary.csv column."""
    if name in ("actor", "group"):
        title = "covert actor" if name == "actor" else "sector group (all: every sector)"
        return {"name": name, "titles": title, "datatype": "string"}
    base, bound = name, ""
    for suffix, what in (("_lo", "lower 95% CI bound of "), ("_hi", "upper 95% CI bound of ")):
        if name.endswith(suffix):
            base, bound = name[: -len(suffix)], what
    m = summary_metric(base)
    long_name = f"{bound}{m.long_name}" if bound else f"{m.long_name} (mean per replication)"
    return {
        "name": name,
        "titles": long_name,
        "datatype": "double",
        "null": "",
        "units": m.unit,
        "long_name": long_name,
    }


def _table_text(head: list[str], rows: list[list[Any]]) -> str:
    fh = io.StringIO(newline="")
    writer = csv.writer(fh)
    writer.writerow(head)
    writer.writerows(clean_json(rows))
    return fh.getvalue()


def _csv_text(rows: list[dict[str, Any]]) -> str:
    fh = io.StringIO(newline="")
    # every row's keys, in order: an actor with a seizure model has columns another lacks
    names = list(dict.fromkeys(k for r in rows for k in r)) if rows else ["actor"]
    writer = csv.DictWriter(fh, fieldnames=names)
    writer.writeheader()
    writer.writerows(clean_json(rows))
    return fh.getvalue()


def write_run(
    results: Results,
    out: Path,
    command: list[str],
    extra: Mapping[str, Any] | None = None,
    *,
    force: bool = False,
    summary_json: str | None = None,
    draws: tuple[list[str], list[list[Any]]] | None = None,
) -> Path:
    """Write results under ``out`` and return the path; ``extra`` adds keys to the manifest (the
    API records a scenario's overrides there). ``summary_json`` replaces ``results.summary_json()``
    (the API's summary adds the input intervals); ``draws`` (header, rows) is written as
    ``input_draws.csv``: one row per draw of the uncertain inputs, its factors and figures.

    ``out`` must be new, empty, or a run directory; a rerun replaces the run's own artefacts
    (:data:`RUN_ARTEFACTS`) and keeps everything else there (a report, a compare.json) unless
    ``force``. Raises :class:`bordersim.engine.rundir.OutputError` subclasses, each one message.
    """
    rows = results.summary_rows()
    columns = list(dict.fromkeys(k for r in rows for k in r)) if rows else ["actor"]
    metadata = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": "summary.csv",
        "dc:title": "bordersim run summary: one row per covert actor and sector group",
        "tableSchema": {"columns": [_column(c) for c in columns]},
    }

    def zarr(path: Path) -> None:
        results.to_xarray().to_zarr(path, mode="w", consolidated=True, zarr_format=2)

    artefacts: dict[str, Artefact] = {
        "results.zarr": zarr,
        "summary.csv": _csv_text(rows),
        "summary.csv-metadata.json": dumps_json(metadata) + "\n",
        "summary.json": (results.summary_json() if summary_json is None else summary_json) + "\n",
    }
    if draws is not None:
        artefacts["input_draws.csv"] = _table_text(*draws)
    fields = {**results.provenance(), **(extra or {}), "command": command}
    return write_dir(out, artefacts, writer="run", fields=clean_json(fields), force=force)
