# MPP Digital — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements/lock.txt | cksum | cut -d' ' -f1)
export PYTHONDONTWRITEBYTECODE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint bench messages venv stop-db ci

$(STAMP): requirements/lock.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

messages: $(STAMP)
	@$(BIN)/python -m babel.messages.frontend compile --domain django --directory locale --use-fuzzy --statistics >/dev/null

run: venv messages
	MPP_BASE_PORT=$${MPP_BASE_PORT:-8000} $(BIN)/python manage.py mpp_run

test: venv messages
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

bench: venv messages
	$(BIN)/python -m bench $(BENCH_ARGS)

stop-db: venv
	$(BIN)/python manage.py stop_embedded_db
