"""Bounded, safe reading of YAML text: size, encoding, aliases and nesting checked before any work.

A scenario file is small hand-written text (the built-ins are under 20 KB). What a hostile or broken
file can do to a YAML loader, and what is refused here, each with one located message:

- a huge file (a 5 MB scenario took over a minute and 2 GB): files over :data:`MAX_FILE_BYTES` are
  refused from their size alone, before they are read;
- bytes that are not UTF-8: reported with the line and byte offset of the first bad byte;
- aliases (``*name``): the 430-byte "billion laughs" expands exponentially once constructed, so
  aliases and anchors are refused outright -- a scenario never needs them (shared parts go in an
  ``include``);
- deep nesting (``[[[[...]]]]``): composing is recursive, so more than :data:`MAX_DEPTH` levels are
  refused while scanning the flat event stream, long before a ``RecursionError``.

The event scan and the composition use libyaml (``yaml.CSafeLoader``) when PyYAML was built with it
(about 10x faster than the pure-Python loader) and fall back to ``yaml.SafeLoader``; both keep each
node's ``start_mark``, so every later error still names its line.
"""

from __future__ import annotations

from pathlib import Path

import yaml

#: Largest YAML file read, bytes (512 KiB): 35x the largest built-in file (14.7 KB), ~10,000 lines
#: or ~3,000 sectors. PyYAML resolves and constructs each node in Python (~15 us a node, measured:
#: 0.47 s CPU for 182 KB of dense mappings), so 512 KiB loads in about 1.5 s at worst; 2 MiB would
#: take ~5 s, and the 5 MB file of issue 11 is refused from its size alone, before it is read.
MAX_FILE_BYTES = 512 * 1024
#: Deepest nesting of mappings and sequences: the deepest scenario field (a claim of a quantity of a
#: choice of an action of a policy) is ~9 levels down.
MAX_DEPTH = 32

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # type: ignore[assignment]


class UnsafeYamlError(Exception):
    """A YAML input refused before or while composing: ``line`` (1-based) may be None."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


def read_text(path: Path, what: str = "file") -> str:
    """The UTF-8 text of ``path``, refusing a file over :data:`MAX_FILE_BYTES` before reading it."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise UnsafeYamlError(None, f"cannot read {what}: it is a directory")
        if size > MAX_FILE_BYTES:
            raise UnsafeYamlError(
                None,
                f"{what} is {size / 1024:,.0f} KiB; the limit is {MAX_FILE_BYTES // 1024:,} KiB",
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)  # the file may grow after stat
    except OSError as exc:
        raise UnsafeYamlError(None, f"cannot read {what}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UnsafeYamlError(None, f"{what} is over the {MAX_FILE_BYTES // 1024:,} KiB limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UnsafeYamlError(
            line,
            f"{what} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
        ) from None


def load_plain(path: Path, what: str = "file") -> object:
    """The plain data of a small YAML file (experiment files and the like), read through the same
    checks as a scenario (size, UTF-8, no aliases, bounded nesting); None for an empty file."""
    node = compose(read_text(path, what))
    if node is None:
        return None
    try:
        return yaml.constructor.SafeConstructor().construct_document(node)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise UnsafeYamlError(line, f"cannot read value: {exc.problem or exc}") from None
    except (ValueError, yaml.YAMLError) as exc:
        raise UnsafeYamlError(None, f"cannot read value: {exc}") from None


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree of ``text`` (None for an empty document), after checking its event
    stream for aliases, anchors, more than one document and nesting beyond :data:`MAX_DEPTH`."""
    try:
        _scan(text)
        return yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise UnsafeYamlError(
            mark.line + 1 if mark else None, f"YAML syntax error: {exc.problem or exc}"
        ) from None
    except yaml.YAMLError as exc:
        raise UnsafeYamlError(None, f"YAML error: {exc}") from None


def _scan(text: str) -> None:
    depth = 0
    documents = 0
    for event in yaml.parse(text, Loader=Loader):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            raise UnsafeYamlError(
                line,
                f"YAML alias *{event.anchor} is not allowed in scenario files "
                "(put shared parts in an `include`)",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise UnsafeYamlError(line, f"YAML anchor &{anchor} is not allowed in scenario files")
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise UnsafeYamlError(line, "a scenario file holds one YAML document, not several")
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise UnsafeYamlError(line, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
