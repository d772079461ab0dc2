"""Reading a bordersim directory's manifest and checking its artefacts against their checksums."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bordersim.engine.rundir.files import LEGACY_RUN_ARTEFACTS, MANIFEST, StoreError, sha256_file


def read_manifest(directory: Path) -> dict[str, Any]:
    """The directory's manifest; :class:`StoreError` naming the file if missing, empty or garbled."""
    path = Path(directory) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoreError(f"{path}: missing; not a directory written by bordersim") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: unreadable ({exc})") from None
    if not text.strip():
        raise StoreError(f"{path}: empty (an interrupted or damaged write?)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or not ("artefacts" in data or "bordersim_version" in data):
        raise StoreError(f"{path}: not a bordersim manifest")
    return data


def owned(manifest: Mapping[str, Any]) -> dict[str, list[str]]:
    """Artefact names by writer (a v0.1 manifest: the run's three artefacts)."""
    arts = manifest.get("artefacts")
    if isinstance(arts, dict):
        return {str(k): [str(x) for x in v] for k, v in arts.items() if isinstance(v, list)}
    return {"run": list(LEGACY_RUN_ARTEFACTS)}


def verify(directory: Path, writer: str = "run") -> dict[str, Any]:
    """Check the files of ``writer``'s artefacts against the manifest's checksums; return the manifest.

    Raises :class:`StoreError` naming the first missing or changed file. A manifest without
    checksums (v0.1) passes: there is nothing to check against."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    sums = manifest.get("checksums")
    if not isinstance(sums, dict):
        return manifest
    names = owned(manifest).get(writer, [])
    for rel, digest in sorted(sums.items()):
        if rel.split("/", 1)[0] not in names:
            continue
        f = directory / rel
        if not f.is_file():
            raise StoreError(f"{f}: missing from the store (deleted or an interrupted write)")
        if sha256_file(f) != digest:
            raise StoreError(
                f"{f}: changed or truncated since bordersim wrote it (checksum differs)"
            )
    return manifest


# ---- directories ---------------------------------------------------------------------------------
