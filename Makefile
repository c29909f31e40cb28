# golive: two commands on a fresh clone.
#   make golive   run the readiness suite against hosts.yaml (reports/readiness.html)
#   make test     run golive's own tests (what .ci/run calls, after make check)
#   make test-fast  the unit tests: no root, no sandbox, no end-to-end run (under a minute)
#   make check    lint + typecheck (ruff, mypy --strict) + the documentation site
#   make docs     the documentation site (mkdocs.yml) into .site/, warnings as errors
#   make demo     the suite against the sandbox's demo fleet (as root; SCENARIO=broken for every fault)
#   make wheelhouse  golive's wheel and its dependencies' in .wheelhouse/ (install with
#                 pip install --no-index --find-links .wheelhouse golive; make test does it)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=
WHEELHOUSE ?= .wheelhouse
PACKAGED := pyproject.toml $(wildcard golive/*.py golive/*/*.py golive/knowledge/*.yaml golive/knowledge/*.json checks/*.py fixtures/*.py tests_infra/*.py)

.PHONY: golive test test-fast demo check lint typecheck docs doctest clean wheelhouse

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,docs]'
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

# the unit tests: neither root nor the sandbox nor a golive run end to end (markers root, sandbox,
# e2e); spread over JOBS xdist workers
JOBS ?= 2
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest tests -p pytester -p no:html -m "not root and not sandbox and not e2e" -n $(JOBS) $(ARGS)

# bring the demo sandbox fleet up (SCENARIO=broken: every fault), run the suite against it, tear it
# down (KEEP=1 keeps it)
demo: $(VENV)/.installed
	$(BIN)/python -m sandbox demo $(if $(KEEP),--keep) $(if $(SCENARIO),--scenario $(SCENARIO))

check: lint typecheck docs

# the documentation site: a broken link or anchor, or a page left out of nav, fails the build;
# docs/inventory.md and docs/hosts.schema.json come from python -m golive.inventory_reference docs
docs: $(VENV)/.installed
	$(BIN)/mkdocs build --strict --quiet --site-dir .site

# mypy --strict (pyproject's [tool.mypy]) on the package as installed: checks/ and fixtures/ are
# golive.checks and golive.fixtures, a mapping mypy cannot follow, so it reads a tree of symlinks
# in the installed layout (errors name golive/checks/x.py for checks/x.py)
typecheck: $(VENV)/.installed
	rm -rf .typecheck && mkdir .typecheck
	cp -rs $(CURDIR)/golive .typecheck/golive
	ln -s $(CURDIR)/checks .typecheck/golive/checks
	ln -s $(CURDIR)/fixtures .typecheck/golive/fixtures
	cd .typecheck && $(abspath $(BIN))/mypy --config-file $(CURDIR)/pyproject.toml -p golive

# the whole repository, as a developer's `ruff check .` and `ruff format --check .` see it (the
# Python blocks of the Markdown docs included); pyproject's [tool.ruff] and .gitignore say what is left out
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) $(WHEELHOUSE) .site reports/*.html reports/*.json
