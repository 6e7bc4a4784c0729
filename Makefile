# The two commands a newcomer needs (README): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test unit lint services-up services-down install

$(BIN)/txmon: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/txmon

install: $(BIN)/txmon

## Set up and run the whole pipeline, embedded, on the shipped data.
demo: install
	$(BIN)/txmon demo

## Start Redis, Kafka, geth and btcd on loopback, then run ruff, mypy and every test tier.
test: install services-up
	$(BIN)/ruff check .
	$(BIN)/mypy
	@rc=0; $(BIN)/pytest || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the test tree is broken" >&2; exit 1; fi; \
	exit $$rc

## Fast tier only: no services needed.
unit: install
	$(BIN)/pytest -m 'not integration and not install'

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

services-up:
	scripts/services up

services-down:
	scripts/services down
