"""Output files: the error classes, the one JSON cleaner, atomic writes with ordinary permissions,
and content checksums (see :mod:`bordersim.engine.rundir` for the rules)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

MANIFEST = "manifest.json"
LOCK = ".bordersim.lock"
STAGING = ".bordersim-tmp-"
ASIDE = ".bordersim-old-"
#: What a v0.1 run directory (a manifest without an ``artefacts`` list) held.
LEGACY_RUN_ARTEFACTS = ("results.zarr", "summary.csv", "summary.json")

#: An artefact is text, bytes, or a function that writes the artefact at the path it is given.
Artefact = str | bytes | Callable[[Path], None]


class OutputError(Exception):
    """An output problem the user can fix (the path, the disk, another writer): one message, exit 2."""


class NotARunDirError(OutputError):
    """The output path is a file, or a directory holding things bordersim did not write."""


class OutputBusyError(OutputError):
    """Another bordersim process is writing the same directory."""


class OutputWriteError(OutputError):
    """Writing failed (disk full, read-only folder, permission); nothing partial was left."""


class StoreError(OutputError):
    """A stored result failed its checks when read (missing, truncated, garbled or changed)."""


# ---- JSON ----------------------------------------------------------------------------------------
def clean_json(o: Any, *, digits: int | None = 10) -> Any:
    """JSON-able copy of ``o``: floats rounded to ``digits`` (``None``: kept), NaN/inf -> null,
    numpy scalars -> Python, tuples -> lists."""
    if isinstance(o, float):
        if not np.isfinite(o):
            return None
        return o if digits is None else round(o, digits)
    if isinstance(o, dict):
        return {k: clean_json(v, digits=digits) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [clean_json(v, digits=digits) for v in o]
    if isinstance(o, np.generic):
        return clean_json(o.item(), digits=digits)
    return o


def dumps_json(
    o: Any, *, digits: int | None = 10, default: Callable[[Any], Any] | None = None
) -> str:
    """Stable JSON text (cleaned, sorted keys, indent 2, no trailing newline)."""
    return json.dumps(
        clean_json(o, digits=digits), indent=2, sort_keys=True, allow_nan=False, default=default
    )


# ---- files ---------------------------------------------------------------------------------------
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def ordinary_permissions(path: Path) -> None:
    """chmod ``path`` to 0666 (file) or 0777 (directory) less the umask."""
    os.chmod(path, (0o777 if Path(path).is_dir() else 0o666) & ~_umask())


def write_error(path: Path, exc: OSError) -> OutputWriteError:
    what = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded"}.get(
        exc.errno or 0, exc.strerror or str(exc)
    )
    return OutputWriteError(f"{path}: cannot write ({what}); nothing was written")


def atomic_write(path: Path, data: str | bytes | Callable[[IO[bytes]], None]) -> Path:
    """Write one file atomically (temporary sibling, fsync, rename) with ordinary permissions.

    ``data`` is text (UTF-8), bytes, or a function writing to a binary file object. An existing
    directory at ``path`` is refused; an ``OSError`` becomes :class:`OutputWriteError`."""
    path = Path(path)
    if path.is_dir():
        raise NotARunDirError(f"{path}: is a directory, not a file; choose a file name")
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise write_error(path, exc) from None
    finally:
        if tmp is not None and os.path.lexists(tmp):
            os.unlink(tmp)
    return path


def sha256_file(path: Path) -> str:
    with Path(path).open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def checksums(root: Path, names: list[str]) -> dict[str, str]:
    """SHA-256 of every file of the artefacts ``names`` under ``root``, by relative POSIX path."""
    out: dict[str, str] = {}
    for name in names:
        p = Path(root) / name
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for f in files:
            out[f.relative_to(root).as_posix()] = sha256_file(f)
    return out


# ---- the manifest --------------------------------------------------------------------------------
