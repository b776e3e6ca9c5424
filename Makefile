# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

.PHONY: run test bench loadtest screenshots lint services down status help

help:
	@echo "make run    - the portal with demo data at http://127.0.0.1:$${PORT:-8000}/"
	@echo "make test   - the whole test suite against real PostgreSQL, Redis and S3"
	@echo "make bench  - ingest, search and recording benchmarks"
	@echo "make loadtest - Locust against the running portal (LOADTEST_DURATION=1m for a short run)"
	@echo "make screenshots - the README's pictures, taken from the demo in Chromium"
	@echo "make lint   - ruff"
	@echo "make down   - stop the embedded services"

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet --only-binary lxml,xmlsec -r requirements.txt
	@touch $(STAMP)

services: $(STAMP)
	@$(PY) -m portal.devstack up

run: $(STAMP)
	@$(PY) -m portal.launcher

test: services
	@$(PY) tools/run_tests.py $(PYTEST_ARGS)

bench: services
	@$(PY) -m bench $(BENCH_ARGS)

loadtest: services
	@$(PY) -m loadtest $(LOADTEST_ARGS)

screenshots: services
	@$(PY) tools/screenshots.py

lint: $(STAMP)
	@$(VENV)/bin/ruff check .

down:
	@$(PY) -m portal.devstack down

status:
	@$(PY) -m portal.devstack status
