"""The fixed set of commands whose ``--json`` output the redesign must keep byte-identical.

``cd tests && python -m golden.regen`` rewrites the fixture files; ``tests/test_golden.py`` checks them.
The fixture may change only in a commit that names the field that changed and why.
"""

from __future__ import annotations

GOLDEN_CASES: dict[str, list[str]] = {}

for _sc, _policies in (
    ("tajik-afghan-2004", ("tajik-only", "russian-guards-stay")),
    ("tajik-afghan-2015", ("tajik-only", "russian-guards-return")),
    ("tajik-afghan-2021", ("tajik-only", "russian-guards-return+aid-equipment")),
):
    for _policy in _policies:
        for _seed in (1, 2):
            GOLDEN_CASES[f"run-{_sc[-4:]}-{_policy}-{_seed}"] = [
                "run", _sc, "-n", "60", "--days", "120", "--seed", str(_seed),
                "--policy", _policy, "--json",
            ]  # fmt: skip

GOLDEN_CASES.update(
    {
        "run-2021-default-start": [
            "run", "-n", "40", "--start", "2021-07-01", "--days", "30", "--seed", "3", "--json",
        ],
        "compare-2021": [
            "compare", "-p", "tajik-only", "-p", "russian-guards-return", "-p", "201st-to-border",
            "-p", "csto-on-call", "-n", "60", "--days", "90", "--seed", "5", "--json",
        ],
        "optimize-2021-best": ["optimize", "--verify", "40", "--verify-days", "30", "--json"],
        "optimize-2021-quantal": [
            "optimize", "--adversary", "quantal", "--lambda", "1", "--integer", "--json",
        ],
        "optimize-2015-sites": ["optimize", "tajik-afghan-2015", "--sites", "2", "--json"],
        "engage-default": ["engage", "--json"],
        "engage-12th-outpost": [
            "engage", "--defenders", "48", "--attackers", "250", "--reinforcement-after", "1",
            "--reinforcement-after", "6", "--json",
        ],
    }
)  # fmt: skip

#: A 6-point sweep: its summary.json and per-point results are compared after the run.
SWEEP_ARGS: list[str] = [
    "sweep", "--design", "lhs", "--points", "6", "-n", "20", "--days", "30", "--seed", "7",
]  # fmt: skip
