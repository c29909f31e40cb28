# golive: two commands on a fresh clone.
#   make golive   run the readiness suite against hosts.yaml (reports/readiness.html)
#   make test     run golive's own tests (what .ci/run calls, after make check)
#   make test-fast  the tests that need neither root nor the sandbox (under a minute)
#   make check    lint + typecheck (ruff, mypy --strict)
#   make demo     the suite against the sandbox's demo fleet (as root; SCENARIO=broken for every fault)
#   make wheelhouse  golive's wheel and its dependencies' in .wheelhouse/ (install with
#                 pip install --no-index --find-links .wheelhouse golive; make test does it)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=
WHEELHOUSE ?= .wheelhouse
PACKAGED := pyproject.toml $(wildcard golive/*.py golive/knowledge/*.yaml checks/*.py fixtures/*.py tests_infra/*.py)

.PHONY: golive test test-fast demo check lint typecheck doctest clean wheelhouse

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

golive: $(VENV)/.installed
	$(BIN)/python -m pytest $(ARGS)

# the wheel is rebuilt whenever a packaged file changes; dependencies' wheels are reused
$(WHEELHOUSE)/.built: $(VENV)/.installed $(PACKAGED)
	rm -f $(WHEELHOUSE)/golive-*.whl
	$(BIN)/python -m pip wheel -q --find-links $(WHEELHOUSE) -w $(WHEELHOUSE) '.'
	touch $@

wheelhouse: $(WHEELHOUSE)/.built

test: $(VENV)/.installed $(WHEELHOUSE)/.built
	$(BIN)/python -m pytest tests -p pytester -p no:html $(ARGS)

# the tests that need neither root nor the sandbox (markers root, sandbox): no namespaces, no daemons;
# spread over JOBS xdist workers (about 105 s of CPU in all)
JOBS ?= 2
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest tests -p pytester -p no:html -m "not root and not sandbox" -n $(JOBS) $(ARGS)

# bring the demo sandbox fleet up (SCENARIO=broken: every fault), run the suite against it, tear it
# down (KEEP=1 keeps it)
demo: $(VENV)/.installed
	$(BIN)/python -m sandbox demo $(if $(KEEP),--keep) $(if $(SCENARIO),--scenario $(SCENARIO))

check: lint typecheck

# mypy --strict (pyproject's [tool.mypy]) on the package as installed: checks/ and fixtures/ are
# golive.checks and golive.fixtures, a mapping mypy cannot follow, so it reads a tree of symlinks
# in the installed layout (errors name golive/checks/x.py for checks/x.py)
typecheck: $(VENV)/.installed
	rm -rf .typecheck && mkdir .typecheck
	cp -rs $(CURDIR)/golive .typecheck/golive
	ln -s $(CURDIR)/checks .typecheck/golive/checks
	ln -s $(CURDIR)/fixtures .typecheck/golive/fixtures
	cd .typecheck && $(abspath $(BIN))/mypy --config-file $(CURDIR)/pyproject.toml -p golive

lint: $(VENV)/.installed
	$(BIN)/ruff check golive checks fixtures tests_infra tests sandbox
	$(BIN)/ruff format --check golive checks fixtures tests_infra tests sandbox

clean:
	rm -rf $(VENV) $(WHEELHOUSE) reports/*.html reports/*.json
