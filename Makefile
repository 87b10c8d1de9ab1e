# Two commands: `make serve` and `make test`. Both set up .venv on first use (idempotent).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install serve test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml sdk/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ./sdk -e '.[dev]'
	@touch $(STAMP)

serve: install
	$(BIN)/xpert serve

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check xpert_server sdk tests
	$(BIN)/mypy --strict sdk/xpert_sdk

clean:
	rm -rf $(VENV) .xpert .pytest_cache .mypy_cache .ruff_cache
