# Two commands set everything up on a bare machine with Python 3.11+ and make:
#   make run    the app on http://127.0.0.1:5000 with the example trial (embedded SQLite)
#   make test   the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint translations bench clean-venv

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/python -m trial.devinstance
	$(FLASK) trial init-db
	$(FLASK) trial load-protocol protocols/ips-norway.toml
	$(FLASK) trial demo-admin --trial ips-norway
	TRIAL_SCHEDULER_ENABLED=1 $(FLASK) trial serve --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check trial instruments randomization tests
	$(BIN)/mypy

translations: $(VENV)/.installed-test
	for po in trial/translations/nb/LC_MESSAGES/*.po; do \
	  $(BIN)/pybabel compile -l nb -i $$po -o $${po%.po}.mo || exit 1; done

bench: $(VENV)/.installed-test
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done
