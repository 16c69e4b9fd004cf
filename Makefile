# The two commands of the README work on a fresh machine with nothing but Python 3.11+:
#   make demo   create .venv, install, migrate, serve the demo on SQLite
#   make test   create .venv, install, lint, type-check, and run the whole suite
#               (a second time against PostgreSQL when DATABASE_URL points at one)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint suite suite-postgres bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	DATABASE_URL= $(BIN)/prpath demo

test: lint suite suite-postgres

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	DATABASE_URL= $(BIN)/prpath manage makemigrations --check --dry-run

# The suite runs on every core (pytest-xdist); idle workers take tests from busy ones (worksteal), so the
# long browser tests spread out. What a test file builds once (its clinics, its scene) is built once per
# worker. PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n auto --dist worksteal
# When PostgreSQL is named too, the browser tests run once, in the PostgreSQL pass.
ON_POSTGRES := $(filter postgres://% postgresql://%,$(DATABASE_URL))

suite: $(STAMP)
	@if [ -n "$(ON_POSTGRES)" ]; then echo "== the suite on SQLite (the browser tests run once, on PostgreSQL)"; \
	  else echo "== the suite on SQLite"; fi
	DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS) $(if $(ON_POSTGRES),-m "not browser",)

# Runs only when DATABASE_URL names a PostgreSQL database; says so when it does not.
suite-postgres: $(STAMP)
	@case "$$DATABASE_URL" in \
	  postgres://*|postgresql://*) echo "== the suite again, on PostgreSQL ($$DATABASE_URL)"; $(BIN)/pytest $(PYTEST_ARGS) ;; \
	  *) echo "== PostgreSQL run skipped: set DATABASE_URL=postgres://... to run the suite on PostgreSQL too" ;; \
	esac

bench: $(STAMP)
	$(BIN)/python bench/triage_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
