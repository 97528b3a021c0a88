# sscp-tui — every target makes its own virtual environment first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run run-own test test-pg test-install test-render lint format types check bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the app with its development tools

run: $(STAMP) ## Launch the app on the demo partnership
	$(BIN)/sscp-tui --demo

run-own: $(STAMP) ## Launch the app on your own tracker
	$(BIN)/sscp-tui

test: $(STAMP) ## Run the test suite (on two processes)
	$(BIN)/python -m pytest -q -n 2

# The store, service and CLI tests again, on a throwaway PostgreSQL server started from this
# machine's own server binaries (pg_config --bindir), on loopback, stopped at the end. Missing
# binaries fail the target: it never skips.
test-pg: $(STAMP) ## Run the store, service and CLI tests again on a real PostgreSQL server
	$(BIN)/python tests/pg_server.py -- $(BIN)/python -m pytest -q -n 2 -p no:cacheprovider tests/unit tests/functional

test-install: $(STAMP) ## Build the wheel, install it in a fresh venv outside the checkout, run it
	$(BIN)/python -m pytest -q -p no:cacheprovider --override-ini="addopts=-ra" tests/install

# The packs printed as a board member receives them: Word and spreadsheet through LibreOffice to
# PDF, the web page through Chromium, read back with pdftotext. Debian's packages are installed
# first when any is missing (with the fonts a board member's machine has: Arial's and Calibri's
# metrics); the tests fail, never skip, without them.
RENDER_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui chromium poppler-utils \
	fonts-liberation fonts-crosextra-carlito
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
test-render: $(STAMP) ## Print the packs for real (LibreOffice, Chromium) and read the PDFs
	@if ! command -v soffice >/dev/null || ! command -v chromium >/dev/null \
		|| ! command -v pdftotext >/dev/null || ! fc-match Arial | grep -q Liberation \
		|| ! fc-match Calibri | grep -q Carlito; then \
		echo "Installing $(RENDER_PACKAGES)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
			--no-install-recommends $(RENDER_PACKAGES) >/dev/null; \
	fi
	$(BIN)/python -m pytest -q -p no:cacheprovider --override-ini="addopts=-ra" tests/render

lint: $(STAMP) ## ruff: formatting and lint
	$(BIN)/ruff format --check sscp_tui tests
	$(BIN)/ruff check sscp_tui tests

format: $(STAMP) ## Reformat the code
	$(BIN)/ruff format sscp_tui tests
	$(BIN)/ruff check --fix sscp_tui tests

types: $(STAMP) ## mypy --strict over the package
	$(BIN)/mypy

check: lint types test test-pg test-install test-render ## Everything CI checks: lint, types, tests, the installed copy, the printed packs

BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	# VisiData is a peer measured beside us, so it lives in the bench environment only.
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[dev,postgres]' visidata
	@touch $@

bench: $(BENCH_VENV)/.installed ## Benchmarks at 1k, 10k and 100k items (writes bench/results/latest.md)
	$(BENCH_VENV)/bin/python bench/run.py

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
