"""Property: any mutation of a built-in scenario either loads and runs, or fails cleanly.

Hypothesis picks a built-in scenario, one place in its data (a number, a string, a key, a date) and one
way to break it (NaN, +-inf, a negative, a huge or tiny number, a boolean, zero, text with control
characters, an empty string, a removed key). The mutated scenario is written as one YAML file and
loaded. Either :func:`load_scenario` raises :class:`ScenarioError` (the clean failure: the CLI prints
it and exits 2), or the scenario must compile and simulate -- 2 replications over 3 days from the
period start, under the baseline and under one drawn policy, and from one drawn timeline event's
date -- without any exception: anything ``validate`` accepts must run.
"""

from __future__ import annotations

import copy
import datetime as dt
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bordersim.engine import simulate
from bordersim.model.compile import compile_scenario
from bordersim.scenario.builtin import builtin_names, builtin_path
from bordersim.scenario.loading import ScenarioError, load_data, load_scenario

PathKey = tuple[str | int, ...]
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's dumper: ~10x faster

NUMBER_MUTATIONS: dict[str, Any] = {
    "nan": float("nan"),
    "inf": float("inf"),
    "minus-inf": float("-inf"),
    "negative": -1.0,
    "huge": 1e300,
    "big": 1e9,
    "tiny": 1e-300,
    "zero": 0,
    "true": True,
    "false": False,
    "text": "many",
}
TEXT_MUTATIONS: dict[str, Any] = {
    "escape": "x\x1b[31mred",
    "bell": "a\x07b",
    "bidi": "a\u202eb",
    "newline": "a\nb",
    "empty": "",
    "number": 7,
    "list": ["a"],
}


@cache
def _data(name: str) -> dict[str, Any]:
    """The built-in's plain data with its includes merged (one self-contained mapping)."""
    return load_data(builtin_path(name), (builtin_path(name).parent,)).data


@cache
def _leaves(name: str) -> tuple[PathKey, ...]:
    out: list[PathKey] = []

    def walk(node: Any, path: PathKey) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))
        else:
            out.append(path)

    walk(_data(name), ())
    return tuple(out)


def _mutated(name: str, path: PathKey, how: str) -> dict[str, Any]:
    data = copy.deepcopy(_data(name))
    node: Any = data
    for p in path[:-1]:
        node = node[p]
    last = path[-1]
    old = node[last]
    if how == "remove":
        if isinstance(node, dict):
            del node[last]
        else:
            node.pop(last)
    elif isinstance(old, bool | int | float):
        node[last] = NUMBER_MUTATIONS[how] if how in NUMBER_MUTATIONS else old
    elif isinstance(old, dt.date):
        node[last] = {"year-1800": dt.date(1800, 1, 1), "year-3000": dt.date(3000, 1, 1)}.get(
            how, old
        )
    else:
        node[last] = TEXT_MUTATIONS.get(how, old)
    return data


HOWS = sorted({*NUMBER_MUTATIONS, *TEXT_MUTATIONS, "year-1800", "year-3000", "remove"})


def _run_tiny(sc: Any, data: st.DataObject) -> None:
    """2 replications over 3 days: from the start under the baseline and a drawn policy, and from
    a drawn timeline event's date (when it lies inside the period)."""
    policies = [None, *sc.policies]
    for policy in {None, data.draw(st.sampled_from(policies), label="policy")}:
        res = simulate(compile_scenario(sc, policy=policy, days=3), 2, 0)
        assert res.summary()["replications"] == 2
    end = sc.period.start + dt.timedelta(days=sc.period.days - 3)
    dates = [e.date for e in sc.timeline if sc.period.start <= e.date <= end]
    if dates:
        start = data.draw(st.sampled_from(dates), label="event date")
        simulate(compile_scenario(sc, start=start, days=3), 2, 0)


@pytest.mark.slow
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_mutated_builtin_runs_or_fails_cleanly(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(builtin_names()), label="scenario")
    path = data.draw(st.sampled_from(_leaves(name)), label="path")
    how = data.draw(st.sampled_from(HOWS), label="mutation")
    mutated = _mutated(name, path, how)
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "mutated.yaml"
        text = yaml.dump(mutated, Dumper=_DUMPER, allow_unicode=False)  # escapes control chars
        file.write_text(text, encoding="utf-8")
        try:
            sc = load_scenario(file)
        except ScenarioError as exc:
            assert str(file) in str(exc)
            return
    with np.errstate(all="ignore"):  # warnings are not failures; exceptions are
        _run_tiny(sc, data)


def test_every_leaf_kind_is_reachable() -> None:
    """The mutation space covers numbers, text and dates of every built-in."""
    for name in builtin_names():
        kinds = set()
        for path in _leaves(name):
            node: Any = _data(name)
            for p in path:
                node = node[p]
            kinds.add(type(node).__name__)
        assert {"int", "float", "str", "date"} <= kinds, (name, kinds)
