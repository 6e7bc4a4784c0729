# The two commands a newcomer needs (README): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test unit lint services-up services-down install browser console

# the console's browser tests use Debian's chromium (scripts/browser), never a download
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

$(BIN)/txmon: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/txmon

install: $(BIN)/txmon

## Set up and run the whole pipeline, embedded, on the shipped data.
demo: install
	$(BIN)/txmon demo

## Serve the demo's state in the console: http://127.0.0.1:8080/ (after `make demo`).
console: install
	TXMON_API_TOKENS="$$($(BIN)/python -c 'from txmon.cli.demo import DEMO_USERS; print(DEMO_USERS)')" \
	  $(BIN)/txmon --data-dir "$${TXMON_DATA_DIR:-$$HOME/.local/share/txmon}/demo" api

## Start Redis, Kafka, geth and btcd on loopback, install chromium for the browser
## tests, then run ruff, mypy and every test tier.
test: install services-up browser
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

browser:
	scripts/browser

services-down:
	scripts/services down
