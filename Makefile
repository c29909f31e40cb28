# golive: two commands on a fresh clone.
#   make golive   run the readiness suite against hosts.yaml (reports/readiness.html)
#   make test     run golive's own tests (what .ci/run calls)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: golive test demo lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

golive: $(VENV)/.installed
	$(BIN)/python -m pytest $(ARGS)

test: $(VENV)/.installed
	$(BIN)/python -m pytest tests -p pytester -p no:html $(ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check golive checks fixtures tests_infra tests sandbox
	$(BIN)/ruff format --check golive checks fixtures tests_infra tests sandbox

clean:
	rm -rf $(VENV) reports/*.html reports/*.json
