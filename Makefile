# BIF: the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format bench e2e migrate demo messages clean audit

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput
	@if [ "$${SEALED_DATABASE_URL:-default}" != "none" ]; then $(PY) manage.py migrate --database sealed --noinput; fi

## Start the portal with the demo city on SQLite, Celery eager: http://127.0.0.1:8000
run: export DEBUG ?= 1
run: migrate
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver $(HOST):$(PORT)

## The whole test suite (lint, migration check, pytest). Green on SQLite with no services.
test: install lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Only the browser journeys (Debian's chromium + chromium-driver; axe-core from npm).
e2e: install
	npm ci --prefix tests/e2e --no-audit --no-fund
	$(PY) -m pytest tests/e2e -m browser -s

## Benchmarks against PostgreSQL; one JSON line per figure.
bench: install
	$(PY) -m tests.bench

## Known vulnerabilities in the installed dependencies (pip-audit; needs pypi.org or osv.dev).
## --strict: a dependency that could not be checked fails the audit (docs/SECURITY.md).
audit: install
	$(VENV)/bin/pip-audit --strict --skip-editable --progress-spinner off

messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var
