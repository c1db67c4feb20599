# The README's two commands: `make run` and `make test`. Everything else hangs off them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kyoto check questionnaires/
	$(BIN)/kyoto schema questionnaires/kyoto-core.yaml > /dev/null && echo "questionnaires/ compile to response JSON Schemas"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/check.py

clean:
	rm -rf $(VENV) build *.egg-info
