# The one command surface: README, CI and people call these targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
EXAMPLES := $(wildcard examples/*/pyproject.toml)

.DEFAULT_GOAL := help
.PHONY: help venv dev test test-fast lint typecheck bench clean

help:  ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort

# setuptools warns, once per editable project, that a package folder beside pyproject.toml "may
# take precedence during imports": true, and what we want (the dev server puts those folders
# first on sys.path itself). UserWarning is the base of its warning classes.
QUIET_SETUPTOOLS := PYTHONWARNINGS=ignore::UserWarning

$(STAMP): pyproject.toml $(EXAMPLES)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(QUIET_SETUPTOOLS) $(PY) -m pip install --quiet -e '.[test]'
	$(if $(EXAMPLES),$(QUIET_SETUPTOOLS) $(PY) -m pip install --quiet --no-build-isolation --no-deps $(foreach p,$(dir $(EXAMPLES)),-e ./$(p)))
	touch $@

venv: $(STAMP)  ## create .venv with the dev server, its test tools and the examples (editable)

dev: $(STAMP)  ## run the dev server on the bundled examples (prints the URL with its token)
	$(BIN)/devserver run examples/

lint: $(STAMP)  ## ruff (lint + format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)  ## mypy --strict on the packages
	$(BIN)/mypy

test: lint typecheck  ## the whole suite, as CI runs it: lint, types, tests with branch coverage
	$(BIN)/python -m pytest --cov --cov-report=term $(PYTEST_ARGS)

test-fast: $(STAMP)  ## the tests without lint, types or coverage
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)  ## benchmarks: a table of figures, each beside its baseline
	$(BIN)/python -m benchmarks

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov

-include mk/*.mk
