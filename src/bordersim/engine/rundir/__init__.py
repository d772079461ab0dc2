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

from bordersim.engine.rundir.files import (
    MANIFEST,
    Artefact,
    NotARunDirError,
    OutputBusyError,
    OutputError,
    OutputWriteError,
    StoreError,
    atomic_write,
    checksums,
    clean_json,
    dumps_json,
    ordinary_permissions,
    sha256_file,
)
from bordersim.engine.rundir.manifest import owned, read_manifest, verify
from bordersim.engine.rundir.writing import (
    check_into,
    clean_staging,
    existing_manifest,
    foreign_entries,
    locked,
    write_dir,
    write_into,
)

__all__ = [
    "MANIFEST",
    "Artefact",
    "NotARunDirError",
    "OutputBusyError",
    "OutputError",
    "OutputWriteError",
    "StoreError",
    "atomic_write",
    "check_into",
    "checksums",
    "clean_json",
    "clean_staging",
    "dumps_json",
    "existing_manifest",
    "foreign_entries",
    "locked",
    "ordinary_permissions",
    "owned",
    "read_manifest",
    "sha256_file",
    "verify",
    "write_dir",
    "write_into",
]
