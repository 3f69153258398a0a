# LoanHub — the two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

.PHONY: run test install install-dev migrate seed serve lint clean bench

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python requirements.txt
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run — install, migrate, load the sandbox demo, serve on 127.0.0.1:$(PORT)
run: install
	@bash scripts/ensure_fonts.sh
	@bash scripts/migrate_summary.sh $(PY)
	$(PY) manage.py seed_demo --quiet-logins
	@$(PY) manage.py demo_logins --port $(PORT)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test — install test dependencies, lint (any finding fails), run the whole suite
test: install-dev lint
	@bash scripts/ensure_browser.sh
	@bash scripts/ensure_fonts.sh
	$(PY) -m pytest

## make lint — ruff (lint and format check), mypy and import-linter, configured in pyproject.toml;
## all four run, so one pass shows every finding, and any finding fails the target
lint: install-dev
	@status=0; \
	echo "== ruff check"; $(VENV)/bin/ruff check . || status=1; \
	echo "== ruff format --check"; $(VENV)/bin/ruff format --check . || status=1; \
	echo "== mypy"; $(VENV)/bin/mypy || status=1; \
	echo "== lint-imports"; $(VENV)/bin/lint-imports || status=1; \
	exit $$status

bench: install
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
