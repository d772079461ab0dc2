"""Run the tutorial docs/new-border.md as written, and refresh the outputs it shows.

Each ```sh block holds one command; the ```text block right after it is that command's output
(stdout and stderr as a terminal shows them). The commands run in a fresh temporary directory that
holds a copy of examples/, with ``bordersim`` on PATH, as a new user in a clone would run them.
``tests/test_tutorial.py`` compares the outputs with the doc, normalising only timings;
``python tests/tutorial.py --write`` rewrites the doc's outputs after a deliberate change.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "new-border.md"
_BLOCK = re.compile(r"```sh\n(?P<cmd>.*?)```\n(?:\n```text\n(?P<out>.*?)```\n)?", re.S)
_TIMING = re.compile(r"\bin \d+(\.\d+)? s\b")


def normalise(text: str) -> str:
    """Output with timings ("1,000 replications in 1.2 s") blanked: they vary from run to run."""
    return _TIMING.sub("in ? s", text)


def blocks(doc: str) -> list[tuple[str, str | None]]:
    """(command, the output the doc shows or None) for each ```sh block."""
    return [(m["cmd"].strip(), m["out"]) for m in _BLOCK.finditer(doc)]


def run_all(commands: list[str], workdir: Path) -> list[tuple[int, str]]:
    """Run the commands one after the other in ``workdir``; (exit code, output) of each."""
    shutil.copytree(ROOT / "examples", workdir / "examples")
    bindir = workdir / ".bin"
    bindir.mkdir()
    shim = bindir / "bordersim"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bordersim "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr in the order a terminal shows them
    env.pop("COLUMNS", None)
    out = []
    for cmd in commands:
        r = subprocess.run(
            cmd, shell=True, cwd=workdir, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, check=False,
        )  # fmt: skip
        out.append((r.returncode, r.stdout))
    return out


def write_outputs() -> None:
    """Run the doc's commands and write their outputs into it."""
    doc = DOC.read_text(encoding="utf-8")
    cmds = [c for c, _ in blocks(doc)]
    with tempfile.TemporaryDirectory() as tmp:
        results = run_all(cmds, Path(tmp))
    it = iter(results)

    def repl(m: re.Match[str]) -> str:
        rc, text = next(it)
        if rc != 0:
            raise SystemExit(f"`{m['cmd'].strip()}` exited with {rc}:\n{text}")
        shown = f"\n```text\n{text}```\n" if text else ""
        return f"```sh\n{m['cmd']}```\n{shown}"

    DOC.write_text(_BLOCK.sub(repl, doc), encoding="utf-8")
    print(f"wrote the outputs of {len(cmds)} commands into {DOC}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python tests/tutorial.py --write")
    write_outputs()
