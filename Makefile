# Serambi: the two commands are `make demo` and `make test`.
#   make demo    set up, load the demo library and serve it on http://127.0.0.1:8000/
#   make test    every test on SQLite, then on PostgreSQL (scripts/test.sh)
#   make bench   run the benchmarks in benchmarks/
#   make lint    ruff check and ruff format --check
# Nothing here needs an activated virtualenv.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SERAMBI := $(BIN)/serambi
DEMO_ADDR ?= 127.0.0.1:8000

.PHONY: help demo test bench lint

help:
	@sed -n '2,5s/^# */  /p' $(firstword $(MAKEFILE_LIST))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The demo runs as production does (DEBUG off, static files from WhiteNoise),
# unless SERAMBI_DEBUG is set in the environment.
demo: export SERAMBI_DEBUG ?= 0
demo: $(VENV)/.installed
	$(SERAMBI) migrate --no-input
	$(SERAMBI) createcachetable
	$(SERAMBI) collectstatic --no-input --verbosity 0
	$(SERAMBI) demo --no-serve
	@printf '\n\033[1m  Serambi demo: http://%s/\033[0m   (sign in at http://%s/akun/masuk/; Ctrl+C stops it)\n\n' \
		'$(DEMO_ADDR)' '$(DEMO_ADDR)'
	$(SERAMBI) runserver $(DEMO_ADDR) --noreload

test:
	scripts/test.sh

bench: $(VENV)/.installed
	@shopt -s nullglob; benchmarks=(benchmarks/*.py); \
	if [[ $${#benchmarks[@]} -eq 0 ]]; then echo "No benchmarks in benchmarks/"; exit 1; fi; \
	for benchmark in "$${benchmarks[@]}"; do \
		printf '\n==> %s\n' "$$benchmark"; \
		$(BIN)/python "$$benchmark" || exit 1; \
	done

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
