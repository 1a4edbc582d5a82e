# The project's vocabulary. A fresh machine needs only python3.11: everything else is installed here.
# The distribution's interpreter (Debian's /usr/bin/python3.11, built with profile-guided
# optimisation, as production runs it) when it can make a venv; else the first python3.11 on PATH.
# A plain source build (pyenv's default) costs 10-25% more CPU per page (ADR 0108).
PY ?= $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' 2>/dev/null && echo /usr/bin/python3.11 || echo python3.11)
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lint format schema bench lock clean test-sqlite test-postgres

install: $(BIN)/lvv

$(BIN)/lvv: pyproject.toml uv.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	test -x $(UV) || $(BIN)/python -m pip install --quiet "uv==0.13.9"
	$(UV) sync --frozen --extra dev --quiet --compile-bytecode
	touch $(BIN)/lvv

lock:
	test -x $(UV) || ($(PY) -m venv $(VENV) && $(BIN)/python -m pip install --quiet "uv==0.13.9")
	$(UV) lock

demo: install
	$(BIN)/lvv migrate --noinput
	$(BIN)/lvv load-demo
	$(BIN)/lvv runserver $(HOST):$(PORT)

# The whole suite: lint, then tests on SQLite, then on PostgreSQL when LVV_TEST_POSTGRES_URL is set
# (.ci/run sets it after starting a throwaway cluster).
test: install lint test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup

test-postgres: install
	@if [ -n "$$LVV_TEST_POSTGRES_URL" ]; then \
		DATABASE_URL="$$LVV_TEST_POSTGRES_URL" $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup -m "not browser"; \
	else echo "LVV_TEST_POSTGRES_URL not set: PostgreSQL run skipped (.ci/run sets it)"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: install
	$(BIN)/lvv spectacular --file docs/openapi.yaml --validate

# The code under test is compiled to bytecode first, as an installed release is (docs/deployment.md):
# with PYTHONDONTWRITEBYTECODE set, every command would otherwise compile it again at start-up.
bench: install
	$(BIN)/python -m compileall -q -j 0 src bench >/dev/null
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache
