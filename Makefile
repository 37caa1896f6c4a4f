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
# Notices are written to files instead of being sent: e-mails one file each
# under var/mail/, WhatsApp/SMS messages as JSON lines in var/messages.jsonl
# (under SERAMBI_VAR_DIR when set).
# A task worker runs next to the web server and stops with it.
demo: export SERAMBI_DEBUG ?= 0
demo: export SERAMBI_EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
demo: export SERAMBI_EMAIL_FILE_PATH ?= $(or $(SERAMBI_VAR_DIR),$(CURDIR)/var)/mail
demo: export SERAMBI_MESSAGE_GATEWAY ?= serambi.core.gateways.FileGateway
demo: export SERAMBI_MESSAGE_FILE ?= $(or $(SERAMBI_VAR_DIR),$(CURDIR)/var)/messages.jsonl
demo: $(VENV)/.installed
	$(SERAMBI) migrate --no-input
	$(SERAMBI) createcachetable
	$(SERAMBI) collectstatic --no-input --verbosity 0
	$(SERAMBI) demo --no-serve
	@printf '\n\033[1m  Serambi demo: http://%s/\033[0m   (sign in at http://%s/akun/masuk/; Ctrl+C stops it)\n' \
		'$(DEMO_ADDR)' '$(DEMO_ADDR)'
	@printf '  Notices: e-mails in %s/, WhatsApp/SMS in %s\n\n' \
		"$$SERAMBI_EMAIL_FILE_PATH" "$$SERAMBI_MESSAGE_FILE"
	@trap 'kill $$server $$worker 2>/dev/null; wait' EXIT; trap 'exit 130' INT TERM; \
	$(SERAMBI) worker --verbosity 0 & worker=$$!; \
	$(SERAMBI) runserver $(DEMO_ADDR) --noreload & server=$$!; \
	wait $$server

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
