"""Load scenarios from YAML with errors located by file, field path and line.

Only safe, bounded YAML is read (:mod:`bordersim.scenario.safe_yaml`: size limit, UTF-8, no aliases,
bounded nesting, libyaml where available): no tags that construct objects. Duplicate keys are errors.
A scenario may ``include`` other YAML files (e.g. the shared border description), found in the
scenario's own folder or the search folders (the built-in data folder) and, unless the caller allows
it, nowhere else; their top-level keys are merged into the scenario's, and a key may come from one
file only. The border geometry a scenario names is opened and checked too, so a scenario that loads
also compiles. Every problem is reported as a :class:`ScenarioError` whose message lists each
problem as ``file:line: field.path: what is wrong``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bordersim.scenario.builtin import DATA_DIR
from bordersim.scenario.calibration_refs import is_calibration_path
from bordersim.scenario.geometry import GeometryError, find_geometry, geometry_path, load_line
from bordersim.scenario.safe_yaml import UnsafeYamlError, compose, read_text
from bordersim.scenario.schema import Scenario, ScenarioConsistencyError

#: Most files one scenario may include.
MAX_INCLUDES = 16

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: PathKey
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field_path = _dotted(self.path) or "(top level)"
        return f"{where}: {field_path}: {self.message}"


class ScenarioError(Exception):
    """A scenario file that cannot be loaded; ``str()`` is the whole user-facing message."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        n = len(problems)
        head = f"invalid scenario ({n} problem{'s' if n != 1 else ''}):"
        super().__init__("\n".join([head, *(f"  {p}" for p in problems)]))


@dataclass
class _Located:
    """Plain data from YAML plus where each field path came from."""

    data: dict[str, Any]
    where: dict[PathKey, tuple[str, int]] = field(default_factory=dict)


def _dotted(path: PathKey) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _construct(
    node: yaml.Node,
    file: str,
    path: PathKey,
    loc: _Located,
    scalars: yaml.constructor.SafeConstructor,
) -> Any:
    """Plain data from a node tree (aliases and deep nesting were refused by safe_yaml.compose)."""
    loc.where[path] = (file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, file, (*path, "<key>"), loc, scalars)
            if not isinstance(key, str | int):
                raise ScenarioError(
                    [Problem(file, key_node.start_mark.line + 1, path, "keys must be text")]
                )
            if key in out:
                raise ScenarioError(
                    [
                        Problem(
                            file,
                            key_node.start_mark.line + 1,
                            (*path, key),
                            "duplicate key",
                        )
                    ]
                )
            out[key] = _construct(value_node, file, (*path, key), loc, scalars)
        loc.where.pop((*path, "<key>"), None)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, file, (*path, i), loc, scalars) for i, v in enumerate(node.value)]
    try:
        value = scalars.construct_object(node, deep=True)  # scalar
    except (ValueError, yaml.YAMLError) as exc:
        raise ScenarioError(
            [Problem(file, node.start_mark.line + 1, path, f"cannot read value: {exc}")]
        ) from None
    if isinstance(value, datetime):
        return value.date()
    return value


def _read_yaml(path: Path, prefix: PathKey, loc: _Located) -> dict[str, Any]:
    file = str(path)
    try:
        node = compose(read_text(path))
    except UnsafeYamlError as exc:
        raise ScenarioError([Problem(file, exc.line, prefix, exc.message)]) from None
    if node is None:
        raise ScenarioError([Problem(file, 1, prefix, "the file is empty")])
    data = _construct(node, file, prefix, loc, yaml.constructor.SafeConstructor())
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, 1, prefix, "the top level must be a mapping")])
    return data


def load_data(
    path: str | Path, search_dirs: tuple[Path, ...] = (), *, allow_outside: bool = False
) -> _Located:
    """Read a scenario file and its includes into plain data with locations.

    An include is looked up in the file's folder, then in ``search_dirs``; a name that leads out of
    them (an absolute path, ``..``, a symlink elsewhere) is refused unless ``allow_outside``."""
    path = Path(path)
    loc = _Located(data={})
    data = _read_yaml(path, (), loc)
    includes = _include_list(data.pop("include", []), loc, str(path))
    merged: dict[str, Any] = {}
    for i, inc in enumerate(includes):
        line = loc.where.get(("include", i), loc.where.get(("include",), (str(path), 0)))[1]
        inc_path = _find_include(inc, path.parent, search_dirs, allow_outside)
        if isinstance(inc_path, str):
            raise ScenarioError([Problem(str(path), line or None, ("include", i), inc_path)])
        sub_loc = _Located(data={})
        sub = _read_yaml(inc_path, (), sub_loc)
        _merge_include(sub, inc_path, data, merged, loc)
        for k, v in sub_loc.where.items():
            loc.where.setdefault(k, v)
    for key, value in data.items():
        if (
            key in _MERGED_MAPPINGS
            and isinstance(value, dict)
            and isinstance(merged.get(key), dict)
        ):
            merged[key].update(value)
        else:
            merged[key] = value
    loc.data = merged
    return loc


def _include_list(value: Any, loc: _Located, file: str) -> list[str]:
    """The ``include`` entry as a list of file names, or a located error."""
    if isinstance(value, str):
        value = [value]
    line = loc.where.get(("include",), (file, None))[1]
    if not isinstance(value, list):
        msg = f"`include` must be a list of file names, got {type(value).__name__}"
        raise ScenarioError([Problem(file, line, ("include",), msg)])
    if len(value) > MAX_INCLUDES:
        msg = f"at most {MAX_INCLUDES} included files, got {len(value)}"
        raise ScenarioError([Problem(file, line, ("include",), msg)])
    for i, v in enumerate(value):
        if not isinstance(v, str) or not v.strip():
            at = loc.where.get(("include", i), (file, line))[1]
            msg = f"an included file must be a file name, got {v!r}"
            raise ScenarioError([Problem(file, at, ("include", i), msg)])
    return value


def _merge_include(
    sub: dict[str, Any], inc_path: Path, data: dict[str, Any], merged: dict[str, Any], loc: _Located
) -> None:
    """Merge one included file's keys into ``merged``; a key may come from one file only."""
    path = loc.where.get((), (str(inc_path), 0))[0]
    for key, value in sub.items():
        if key in _MERGED_MAPPINGS and isinstance(value, dict):
            target = merged.setdefault(key, {})
            own = data.get(key, {})
            clash = (set(value) & set(target)) | (
                set(value) & set(own if isinstance(own, dict) else {})
            )
            if clash:
                k2 = sorted(clash, key=str)[0]
                f, line = loc.where.get((key, k2), (path, 0))
                raise ScenarioError(
                    [Problem(f, line or None, (key, k2), f"also defined in {inc_path.name}")]
                )
            target.update(value)
            continue
        if key in merged or key in data:
            raise ScenarioError(
                [
                    Problem(
                        path,
                        loc.where.get((key,), (path, 0))[1] or None,
                        (key,),
                        f"key also given by included file {inc_path.name}",
                    )
                ]
            )
        merged[key] = value


_MERGED_MAPPINGS = {"sources", "evidence"}


def _find_include(
    name: str, here: Path, search_dirs: tuple[Path, ...], allow_outside: bool
) -> Path | str:
    """The included file's path, or what is wrong (not found, or outside the allowed folders)."""
    for d in (here, *search_dirs):
        p = d / name
        if p.is_file():
            if not allow_outside and not p.resolve().is_relative_to(d.resolve()):
                return (
                    f"included file {name!r} lies outside the scenario's folder and the built-in "
                    "data folder; copy it next to the scenario"
                )
            return p
    return f"included file {name!r} not found"


def _locate(loc: _Located, path: PathKey, default_file: str) -> tuple[str, int | None]:
    """The file and line of the deepest known prefix of a field path."""
    p = tuple(path)
    while p:
        if p in loc.where:
            return loc.where[p]
        p = p[:-1]
    return loc.where.get((), (default_file, None))


def _pydantic_problems(exc: ValidationError, loc: _Located, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors():
        ctx_err = (err.get("ctx") or {}).get("error")
        base = tuple(p for p in err["loc"] if not _is_union_tag(p))
        if isinstance(ctx_err, ScenarioConsistencyError):
            for sub_path, msg in ctx_err.errors:
                full = (*base, *sub_path)
                f, line = _locate(loc, full, file)
                problems.append(Problem(f, line, full, msg))
            continue
        f, line = _locate(loc, base, file)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "missing":
            msg = "required field is missing"
        msg = msg.removeprefix("Value error, ")
        problems.append(Problem(f, line, base, msg))
    return problems


def _is_union_tag(p: object) -> bool:
    """pydantic inserts the discriminator value (e.g. 'set_control') into error locations."""
    return isinstance(p, str) and p in _ACTION_KINDS


_ACTION_KINDS = {
    "set_control",
    "scale_rate",
    "fleeing_batch",
    "transfer_sectors",
    "set_strength",
    "set_posture",
    "move_base",
    "set_equipment",
    "set_choice",
}


def load_scenario(
    path: str | Path, search_dirs: tuple[Path, ...] = (), *, allow_outside: bool = False
) -> Scenario:
    """Load and validate a scenario file and check its border geometry; raise
    :class:`ScenarioError` with located problems."""
    loc = load_data(path, (*search_dirs, DATA_DIR), allow_outside=allow_outside)
    _resolve_geometry(loc, str(path), DATA_DIR)
    _resolve_calibrations(loc.data, (), loc)
    try:
        sc = Scenario.model_validate(loc.data)
    except ValidationError as exc:
        raise ScenarioError(_pydantic_problems(exc, loc, str(path))) from None
    try:
        load_line(str(geometry_path(sc.border.geometry)), sc.border.geometry_feature)
    except GeometryError as exc:
        field_name = "geometry_feature" if exc.feature_missing else "geometry"
        f, line = _locate(loc, ("border", field_name), str(path))
        raise ScenarioError([Problem(f, line, ("border", field_name), str(exc))]) from None
    return sc


def _resolve_geometry(loc: _Located, file: str, data_dir: Path) -> None:
    """Make a ``border.geometry`` that names a file beside its scenario absolute, so that compile and
    the map find it (a package data file name, as the built-ins give, is left as it is)."""
    border = loc.data.get("border")
    name = border.get("geometry") if isinstance(border, dict) else None
    if not isinstance(border, dict) or not isinstance(name, str):
        return
    where, line = loc.where.get(("border", "geometry"), (file, None))
    found = find_geometry(name, Path(where).parent, data_dir)
    if found is None:
        msg = f"line file {name!r} not found beside {Path(where).name} or in the package data"
        raise ScenarioError([Problem(where, line, ("border", "geometry"), msg)])
    if found != data_dir / name:
        border["geometry"] = str(found)


def _resolve_calibrations(node: Any, path: PathKey, loc: _Located) -> None:
    """Make each ``calibrated.calibration`` written as a path absolute, relative to the file that
    says it (as for a border's line file); a shipped calibration's name is left as it is."""
    if isinstance(node, list):
        for i, v in enumerate(node):
            _resolve_calibrations(v, (*path, i), loc)
        return
    if not isinstance(node, dict):
        return
    block = node.get("calibrated")
    name = block.get("calibration") if isinstance(block, dict) else None
    if isinstance(block, dict) and isinstance(name, str) and is_calibration_path(name):
        where = loc.where.get((*path, "calibrated", "calibration"), loc.where.get((), ("", 0)))[0]
        given = Path(name).expanduser()
        block["calibration"] = os.path.abspath(Path(where).parent / given)
    for k, v in node.items():
        _resolve_calibrations(v, (*path, k), loc)


def content_hash(scenario: Scenario, *, ignore_calibration: bool = False) -> str:
    """A stable SHA-256 of the validated scenario's content (not of its file's formatting).

    ``ignore_calibration``: leave the ``calibrated`` blocks out, so that a calibration can record
    the hash of the scenario it was fitted to and the scenario can then cite that calibration
    without the citation changing the hash. A scenario without ``calibrated`` blocks hashes the
    same either way (and as before the blocks existed)."""
    data = scenario.model_dump(mode="json")
    if ignore_calibration:
        _drop_calibrated(data, scenario)
    payload = json.dumps(data, sort_keys=True, default=_json_default)
    return hashlib.sha256(payload.encode()).hexdigest()


def _drop_calibrated(data: dict[str, Any], scenario: Scenario) -> None:
    """Remove the ``calibrated`` blocks from ``data``, ``scenario``'s JSON dump: the ledger's and
    the quantities' (found by their field paths; a ledger key or policy that happens to be called
    ``calibrated`` is left alone)."""
    for entry in data.get("evidence", {}).values():
        entry.pop("calibrated", None)
    for path, q in scenario.quantity_paths():
        if q.calibrated is not None:
            node: Any = data
            for p in path:
                node = node[p]
            node.pop("calibrated", None)


def _json_default(o: object) -> str:
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(type(o).__name__)


#: Public names for other files that locate their own errors the same way (policy files,
#: observation files): plain data with where each field came from, and pydantic errors to problems.
Located = _Located
pydantic_problems = _pydantic_problems
