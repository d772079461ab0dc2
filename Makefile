# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make run   - create .venv, install, run the default scenario, write its outputs under runs/
#   make test  - install the test extras, then ruff (lint + format check), mypy on src/, and the
#                whole pytest suite, slow tests included (this is what CI runs: .ci/run)
# For a quick loop while developing: make test-fast (pytest without the tests marked slow, i.e.
# pytest -m "not slow"; no lint or mypy).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SEED ?= 2021
REPS ?= 1000
DAYS ?= 365
OUT ?= runs/tajik-afghan-2021

.PHONY: run test test-fast lint typecheck pytest bench clean calibrations

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; set PYTHON=/path/to/python3.11" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

run: $(VENV)/.installed
	$(BIN)/bordersim run tajik-afghan-2021 --replications $(REPS) --days $(DAYS) --seed $(SEED) --out $(OUT)
	$(BIN)/bordersim report $(OUT)
	@echo "open $(OUT)/report.html"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy src

# Every test, the slow ones too; pytest's own exit status (1 failures, 5 no tests collected, ...)
# fails the recipe and so make.
pytest: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 --dist loadfile

test: lint typecheck pytest

# The calibrations the built-in scenarios ship with (src/bordersim/scenario/data/calibration/<id>/),
# regenerated with seed 1 from the ledger of observations; some minutes of CPU.
calibrations: $(VENV)/.installed
	$(BIN)/python scripts/calibrate_builtins.py

test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not slow"

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/engagement.py
	$(BIN)/python benchmarks/incursions.py
	$(BIN)/python benchmarks/plan.py
	$(BIN)/python -m benchmarks.peers
	$(BIN)/python benchmarks/sweep.py
	$(BIN)/python benchmarks/startup.py

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
