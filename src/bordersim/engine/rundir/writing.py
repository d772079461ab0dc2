"""Writing a bordersim directory: the lock, staging, refusing what is not ours, the commit."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from bordersim.engine.rundir.files import (
    ASIDE,
    LOCK,
    MANIFEST,
    STAGING,
    Artefact,
    NotARunDirError,
    OutputBusyError,
    StoreError,
    atomic_write,
    checksums,
    dumps_json,
    ordinary_permissions,
    write_error,
)
from bordersim.engine.rundir.manifest import owned, read_manifest


def _ours(name: str) -> bool:
    return name == LOCK or name.startswith((STAGING, ASIDE))


def foreign_entries(directory: Path) -> list[str]:
    """Entries of ``directory`` other than bordersim's lock and staging directories."""
    return sorted(e.name for e in os.scandir(directory) if not _ours(e.name))


@contextlib.contextmanager
def locked(directory: Path, *, tidy: bool = True) -> Iterator[None]:
    """Hold ``directory``'s write lock (creating the directory); :class:`OutputBusyError` if taken.

    ``tidy``: when the body fails and the directory holds nothing but bordersim's lock and staging
    (a new or empty directory), remove those, and the directory if this call created it."""
    directory = Path(directory)
    created = not directory.exists()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        if created:
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise write_error(directory, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusyError(
                f"{directory}: another bordersim process is writing here; wait for it to finish "
                "or choose another output"
            ) from None
        try:
            yield
        except BaseException:
            if tidy and not foreign_entries(directory):  # leave no trace of a failed first write
                with contextlib.suppress(OSError):
                    clean_staging(directory)
                    os.unlink(directory / LOCK)
                    if created:
                        directory.rmdir()
            raise
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
    with locked(out) if lock else contextlib.nullcontext():
        old = existing_manifest(out, kind) or {"kind": kind, "artefacts": {}}
        clean_staging(out)
        _stage_and_commit(
            out, artefacts, old, writer=writer, fields=fields, force=force, partial=partial
        )
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
        raise write_error(out, exc) from None
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


def check_into(path: Path, *, writer: str, marker: bytes = b"") -> bool:
    """Whether ``path``'s folder is a bordersim directory; :class:`NotARunDirError` if ``path`` is a
    directory, or an existing file that is neither ``writer``'s artefact nor holds ``marker`` in
    its first 4 KiB (call it before any work, so that a refusal leaves nothing behind)."""
    path = Path(path)
    if path.is_dir():
        raise NotARunDirError(f"{path}: is a directory, not a file; choose a file name")
    in_dir = (path.parent / MANIFEST).is_file()
    mine = in_dir and path.name in owned(read_manifest(path.parent)).get(writer, [])
    if path.is_file() and not mine:
        with path.open("rb") as fh:
            if marker not in fh.read(4096):
                raise NotARunDirError(
                    f"{path}: exists and was not written by bordersim; not replaced"
                )
    return in_dir


def write_into(path: Path, data: str | bytes, *, writer: str, marker: bytes = b"") -> Path:
    """Write the file ``path`` after :func:`check_into`: registered as ``writer``'s artefact when
    its folder is a bordersim directory (so a later run keeps it), a plain atomic write elsewhere."""
    path = Path(path)
    if check_into(path, writer=writer, marker=marker):
        write_dir(path.parent, {path.name: data}, writer=writer, partial=True)
        return path
    return atomic_write(path, data)
