# The README's two commands: `make run` and `make test`. Everything else hangs off them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# `make test` runs the suite twice: on SQLite, then on this PostgreSQL database (which must answer).
POSTGRES_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run dev test test-sqlite test-postgres lint bench bench-web clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The demo database, then the production server (gunicorn) on http://$(HOST):$(PORT)/.
run: $(STAMP)
	$(BIN)/kyoto demo
	$(BIN)/kyoto serve --host $(HOST) --port $(PORT)

# The same with Flask's development server (debugger, reloads on change): never in production.
dev: $(STAMP)
	$(BIN)/kyoto demo
	$(BIN)/flask --app webapp:create_app run --debug --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint test-sqlite test-postgres

test-sqlite: $(STAMP)
	$(BIN)/python -m pytest

test-postgres: $(STAMP)
	@$(BIN)/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=5).close()" \
		'$(POSTGRES_TEST_URL)' || { echo "PostgreSQL at $(POSTGRES_TEST_URL) does not answer" >&2; exit 1; }
	TEST_DATABASE_URL='$(POSTGRES_TEST_URL)' $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/check.py

# Needs PostgreSQL on 127.0.0.1:5432 and Debian's wrk (apt-get install wrk); see bench/README.md.
bench-web: $(STAMP)
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) build *.egg-info
