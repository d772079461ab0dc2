"""The one owner of bordersim's output directories: atomic writes, JSON cleaning, the manifest.

Every file bordersim writes goes through this module, so the rules hold in one place:

- **Atomic.** A file is written to a temporary sibling, fsynced and renamed into place; a directory's
  artefacts are staged in ``DIR/.bordersim-tmp-*`` and renamed in one by one, the manifest last. A
  killed write leaves only staging directories, which the next write (holding the lock) removes.
- **Nothing destroyed that bordersim did not write.** A bordersim directory is recognised by its
  ``manifest.json``, which lists the artefacts each writer owns (``run``: results.zarr, summary.*;
  ``compare``: compare.json; ...). Writing into an existing directory that holds other things, or
  onto a file, raises :class:`NotARunDirError` and touches nothing. Rewriting a run replaces only the
  writer's own artefacts; ``force=True`` clears the whole directory first.
- **One writer at a time.** ``DIR/.bordersim.lock`` is held with ``fcntl.flock`` while a directory is
  written; a second writer gets :class:`OutputBusyError` at once (the lock file stays: unlinking a
  lock file races with the next writer).
- **One message for a full disk or a read-only folder.** Any ``OSError`` while writing becomes
  :class:`OutputWriteError`, after the staged files are removed.
- **Checked when read.** The manifest records the SHA-256 of every file of every artefact;
  :func:`verify` names a missing, truncated or changed file (a deleted Zarr chunk would otherwise be
  read back as the store's fill value, i.e. zeros) with :class:`StoreError`.
- **Ordinary permissions.** Files 0666 and directories 0777, less the process umask (``mkstemp`` and
  ``mkdtemp`` alone would give 0600/0700).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
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


def _write_error(path: Path, exc: OSError) -> OutputWriteError:
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
        raise _write_error(path, exc) from None
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
def _ours(name: str) -> bool:
    return name == LOCK or name.startswith((STAGING, ASIDE))


def foreign_entries(directory: Path) -> list[str]:
    """Entries of ``directory`` other than bordersim's lock and staging directories."""
    return sorted(e.name for e in os.scandir(directory) if not _ours(e.name))


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold ``directory``'s write lock (creating the directory); :class:`OutputBusyError` if taken."""
    directory = Path(directory)
    created = not directory.exists()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        if created:
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise _write_error(directory, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusyError(
                f"{directory}: another bordersim process is writing here; wait for it to finish "
                "or choose another output"
            ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def clean_staging(directory: Path) -> None:
    """Remove staging directories a killed write left (call only while holding the lock)."""
    for e in os.scandir(directory):
        if e.name.startswith((STAGING, ASIDE)):
            shutil.rmtree(e.path, ignore_errors=True)


def existing_manifest(out: Path, kind: str) -> dict[str, Any] | None:
    """The manifest of ``out`` if it is a bordersim directory of ``kind``; ``None`` if ``out`` is
    new or empty; :class:`NotARunDirError` for a file or a directory bordersim does not own."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotARunDirError(f"{out}: is a file, not a directory; choose another output")
    if not out.exists() or not foreign_entries(out):
        return None
    try:
        manifest = read_manifest(out)
    except StoreError as exc:
        raise NotARunDirError(
            f"{out}: exists and was not written by bordersim ({exc}); nothing was touched, "
            "choose a new or empty directory"
        ) from None
    got = str(manifest.get("kind", "run"))
    if got != kind:
        raise NotARunDirError(
            f"{out}: holds a bordersim {got}, not a {kind}; choose another output"
        )
    return manifest


def write_dir(
    out: Path,
    artefacts: Mapping[str, Artefact],
    *,
    writer: str,
    kind: str = "run",
    fields: Mapping[str, Any] | None = None,
    force: bool = False,
    partial: bool = False,
    lock: bool = True,
) -> Path:
    """Write ``writer``'s artefacts into the bordersim directory ``out`` and update its manifest.

    The writer's previous artefacts are replaced by ``artefacts`` (``partial``: only those named are
    replaced, the writer's others kept); other writers' artefacts and other files are kept unless
    ``force`` (then the directory is cleared first). ``fields`` replaces the manifest's descriptive
    fields (the run's provenance); ``None`` keeps them. ``lock=False``: the caller holds the lock.
    """
    out = Path(out)
    existing_manifest(out, kind)  # refuse before creating anything
    created = not out.exists()
    with locked(out) if lock else contextlib.nullcontext():
        try:
            old = existing_manifest(out, kind) or {"kind": kind, "artefacts": {}}
            clean_staging(out)
            _stage_and_commit(
                out, artefacts, old, writer=writer, fields=fields, force=force, partial=partial
            )
        except BaseException:
            if lock and not (out / MANIFEST).exists():  # a new directory: leave no trace
                with contextlib.suppress(OSError):
                    clean_staging(out)
                    os.unlink(out / LOCK)
                    if created:
                        out.rmdir()
            raise
    return out


def _stage_and_commit(
    out: Path,
    artefacts: Mapping[str, Artefact],
    old: dict[str, Any],
    *,
    writer: str,
    fields: Mapping[str, Any] | None,
    force: bool,
    partial: bool,
) -> None:
    stage = Path(tempfile.mkdtemp(prefix=STAGING, dir=out))
    try:
        ordinary_permissions(stage)
        for name, art in artefacts.items():
            _write_artefact(stage / name, art)
        before = {} if force else owned(old)
        mine = set(artefacts) | (set(before.get(writer, [])) if partial else set())
        drop = set(foreign_entries(out)) - {MANIFEST} if force else set(artefacts)
        if not force and not partial:
            drop |= set(before.get(writer, []))
        sums = {
            k: v
            for k, v in (old.get("checksums") or {}).items()
            if not force and k.split("/", 1)[0] not in drop
        }
        sums.update(checksums(stage, sorted(artefacts)))
        if fields is None:
            fields = {k: v for k, v in old.items() if k not in ("artefacts", "checksums", "kind")}
        arts = {**before, writer: sorted(mine)}
        manifest = {**fields, "kind": old.get("kind", "run"), "artefacts": arts, "checksums": sums}
        atomic_write(stage / MANIFEST, dumps_json(manifest) + "\n")
        _commit(out, stage, sorted(artefacts), sorted(drop))
    except OSError as exc:
        raise _write_error(out, exc) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _write_artefact(path: Path, art: Artefact) -> None:
    if callable(art):
        art(path)
        for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
            ordinary_permissions(p)
    else:
        atomic_write(path, art)


def _commit(out: Path, stage: Path, names: list[str], drop: list[str]) -> None:
    """Move the old artefacts aside, the staged ones in, then the manifest; undo on failure."""
    aside = Path(tempfile.mkdtemp(prefix=ASIDE, dir=out))
    moved: list[str] = []
    placed: list[str] = []
    try:
        for name in drop:
            if os.path.lexists(out / name):
                os.rename(out / name, aside / name)
                moved.append(name)
        for name in names:
            os.rename(stage / name, out / name)
            placed.append(name)
        os.replace(stage / MANIFEST, out / MANIFEST)
    except BaseException:
        for name in placed:
            with contextlib.suppress(OSError):
                os.rename(out / name, stage / name)
        for name in moved:
            with contextlib.suppress(OSError):
                os.rename(aside / name, out / name)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def write_into(path: Path, data: str | bytes, *, writer: str) -> Path:
    """Write the file ``path``: registered as ``writer``'s artefact when its folder is a bordersim
    run directory (so a later run keeps it), a plain atomic write elsewhere."""
    path = Path(path)
    if (path.parent / MANIFEST).is_file():
        write_dir(path.parent, {path.name: data}, writer=writer, partial=True)
        return path
    return atomic_write(path, data)
