# csptoolkit: `make run` sets everything up and starts the toolkit; `make test` runs the whole test suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app csptoolkit
PORT ?= 5000
POSTGRES_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: install browser translations run seed test test-sqlite test-postgres lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python  ## the toolkit, its development tools, GOV.UK Frontend assets and the Welsh catalog
	$(BIN)/pip install --quiet -c .ci/constraints.txt -e '.[dev]'
	cd csptoolkit && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	$(BIN)/pybabel compile -d csptoolkit/translations --statistics

browser:  ## Debian's Chromium for the browser tests (never a downloaded browser); font subsetting for WeasyPrint's PDFs; pdftoppm to look at them
	@(command -v chromium >/dev/null && command -v pdftoppm >/dev/null && ldconfig -p | grep -q libharfbuzz-subset && fc-list | grep -q LiberationSans) || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libharfbuzz-subset0 poppler-utils fonts-liberation fonts-dejavu-core)

translations: install  ## re-extract marked strings and update the Welsh catalog (then translate what is new)
	$(BIN)/pybabel extract -F csptoolkit/translations/babel.cfg -k _l -k lazy_gettext --no-location \
		--sort-output -o csptoolkit/translations/messages.pot .
	$(BIN)/pybabel update -i csptoolkit/translations/messages.pot -d csptoolkit/translations --no-fuzzy-matching

seed: install  ## build the embedded SQLite database and load standards, register and demo data
	$(FLASK) db upgrade
	$(FLASK) demo seed

WORKERS ?= 2

# The web server and, beside it, the task queue's worker (batch exports; README "Workers"): one command starts
# both, and when either stops, or on Ctrl-C, both stop (the worker gracefully: a job resumes when it starts again).
run: seed  ## start the toolkit on http://127.0.0.1:$(PORT) (gunicorn, several workers) with a task queue worker
	@$(BIN)/huey_consumer csptoolkit.worker.huey --workers $(WORKERS) --worker-type process & worker=$$!; \
	$(BIN)/gunicorn --workers 3 --bind 127.0.0.1:$(PORT) 'csptoolkit:create_app()' & web=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; kill -TERM $$web 2>/dev/null; wait' INT TERM EXIT; \
	wait -n

lint: install
	$(BIN)/ruff check csptoolkit tests migrations $(wildcard bench)
	$(BIN)/lint-imports

test-sqlite: install browser
	$(BIN)/pytest -n 2 -q

test-postgres: install browser
	CSPTOOLKIT_TEST_DATABASE_URL=$(POSTGRES_TEST_URL) $(BIN)/pytest -n 2 -q

bench: install  ## the speed measurements (bench/README.md): ratios against a baseline measured in the same run (bench/batch_export.py apart: it takes half an hour)
	$(BIN)/python bench/national_benchmark.py
	$(BIN)/python bench/benchmark_page.py --pages all
	$(BIN)/python bench/pdf_report.py

test: lint test-sqlite test-postgres  ## ruff, the import contract, and the suite on SQLite then PostgreSQL

clean:
	rm -rf $(VENV) instance/*.sqlite3* .pytest_cache .ruff_cache
