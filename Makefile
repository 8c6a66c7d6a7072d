PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 4566

.PHONY: serve test install install-test lint bench demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

serve: install
	$(BIN)/postoffice serve --port $(PORT)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: install-test
	$(BIN)/ruff check .

demo: install
	$(BIN)/python examples/order-processing/demo.py

bench: install-test
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .postoffice
