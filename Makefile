# Two commands a newcomer needs: `make demo` and `make test`. Everything else supports them.
SHELL := /bin/bash
PORT ?= 8000
UV_VERSION := 0.13.9
# uv from PATH when present, otherwise bootstrapped once from PyPI into .uv/.
UV := $(shell command -v uv 2>/dev/null || echo .uv/bin/uv)
PY := .venv/bin/python
# The suite runs in parallel processes (pytest-xdist), one per core up to four; each has its own
# test database and Redis database. PYTEST_WORKERS=0 runs it in this one process.
# Plain load distribution, not work stealing: each process then runs its tests in collection
# order, in which pytest-django puts the tests that empty the tables after the others.
PYTEST_WORKERS ?= $(shell python3 -c 'import os; print(min(4, len(os.sched_getaffinity(0))))')
DEV_ENV := DEBUG=1

.PHONY: help sync demo serve test lint format bench npm clean

help:
	@echo "make demo   install, migrate SQLite, seed demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   install and run the whole test suite (DATABASE_URL/REDIS_URL honoured)"
	@echo "make lint   ruff lint and format check; imports only down the layers (import-linter)"
	@echo "make bench  print performance figures"

.uv/bin/uv:
	python3 -m venv .uv
	.uv/bin/pip install --quiet "uv==$(UV_VERSION)"

sync: $(UV)
	UV_PYTHON_DOWNLOADS=never $(UV) sync --locked --quiet

# Test tools from npm (axe-core, the Nu HTML validator). Without npm the browser and HTML checks
# skip with a reason, unless REQUIRE_BROWSER=1 makes that a failure.
npm:
	@if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then :; \
	elif command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: browser and HTML-validity tests will be skipped"; fi

# PORT goes to Django too: unless SITE_URL is set, every link in an email points at this port.
# The seed's own emails go to files in var/demo-emails/, not over the logins it prints last;
# the server's (sign-up confirmations, password resets) print in this terminal.
DEMO_ENV := $(DEV_ENV) PORT=$(PORT)

demo: sync
	@$(DEMO_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(DEMO_ENV) $(PY) manage.py seed_demo --email-dir var/demo-emails
	@echo "Serving on http://127.0.0.1:$(PORT)/  (staff admin: http://127.0.0.1:$(PORT)/admin/)"
	@$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: sync npm
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: sync
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-logo

format: sync
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench: sync
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf .venv .uv node_modules staticfiles
