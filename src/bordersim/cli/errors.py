"""The last line of defence of the command line: an unforeseen exception becomes one message, exit 2.

Every failure a user can cause has its own located message where it is detected (scenario files,
options, stores). Whatever still escapes -- a full disk, a permission denied, a bug -- should not end
in a screenful of traceback either: :func:`guard` wraps the entry point, prints one line naming the
kind of failure and a hint to rerun with ``--debug``, and exits with code 2. With ``--debug`` (any
position on the command line, removed before the command sees it) or ``BORDERSIM_DEBUG=1`` the
exception propagates with its full traceback.

Wiring (h-cli): ``def main() -> None: guard(app)()`` in ``bordersim.cli.app``.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from typing import NoReturn

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # the shell's convention for SIGINT
DEBUG_FLAG = "--debug"
DEBUG_ENV = "BORDERSIM_DEBUG"


def _debugging(argv: list[str]) -> bool:
    """Whether to show tracebacks; removes ``--debug`` from ``argv`` (in place)."""
    debug = DEBUG_FLAG in argv[1:]
    if debug:
        argv[1:] = [a for a in argv[1:] if a != DEBUG_FLAG]
    return debug or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def describe(exc: BaseException) -> str:
    """One line saying what went wrong, in the user's terms where the kind is known."""
    if isinstance(exc, MemoryError):
        return (
            "out of memory: use fewer replications or days, totals instead of --daily, "
            "or a sweep on Dask"
        )
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return f"no space left on the device{where}: free some space or write elsewhere"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"permission denied{where}: {exc.strerror}"
        return f"{exc.strerror or exc}{where}"
    if isinstance(exc, RecursionError):
        return "input nested too deeply"
    text = " ".join(str(exc).split()) or "(no message)"
    return f"unexpected {type(exc).__name__}: {text[:300]}"


def _report(exc: BaseException) -> NoReturn:
    sys.stdout.flush()
    print(
        f"error: {describe(exc)}\n(rerun with {DEBUG_FLAG} for the traceback)",
        file=sys.stderr,
    )
    raise SystemExit(EXIT_USER_ERROR)


def guard(main: Callable[[], object]) -> Callable[[], None]:
    """``main`` wrapped so that an exception that escapes it prints one line and exits 2."""

    def guarded() -> None:
        if _debugging(sys.argv):
            main()
            return
        try:
            main()
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            raise SystemExit(EXIT_INTERRUPTED) from None
        except Exception as exc:  # the point: nothing escapes as a traceback
            _report(exc)

    return guarded
