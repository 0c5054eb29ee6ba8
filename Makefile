# Two commands: `make demo` and `make test`.  Both work on a fresh machine with
# only python3 and pip: they create .venv and install what they need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := parsl,dask,test
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: demo test lint typecheck pytest matrix test-slow bench venv clean pyright plugin-compat docs

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -c constraints.txt -e '.[$(EXTRAS)]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m parsl_executor_protocol demo

# ruff, then the import contracts of pyproject.toml ([tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -q

# basedpyright ("standard" mode, pyrightconfig.json) over the package.
pyright: $(STAMP)
	$(BIN)/basedpyright

# The mypy plugin's tests under mypy 1.15, the oldest mypy it supports, in a
# test-only environment (constraints.txt pins everything but mypy).
MYPY_OLD := .venv-mypy1.15
$(MYPY_OLD)/.installed: pyproject.toml constraints.txt
	@test -x $(MYPY_OLD)/bin/python || $(PYTHON) -m venv $(MYPY_OLD)
	grep -v '^mypy==' constraints.txt > $(MYPY_OLD)/constraints.txt
	$(MYPY_OLD)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c $(MYPY_OLD)/constraints.txt -e '.[parsl]' mypy==1.15.0 pytest pytest-timeout
	@touch $@

plugin-compat: $(MYPY_OLD)/.installed
	$(MYPY_OLD)/bin/python -m pytest -q tests/test_mypy_plugin.py

# The package's test suite under every other supported interpreter found.
matrix: $(STAMP)
	bash .ci/matrix

test: lint typecheck pyright docs pytest plugin-compat matrix

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow --run-slow

# The HTML site from docs/ (Sphinx + MyST); warnings are errors.
docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

# Every benchmarks/bench_*.py under every interpreter present (.venv and each .venv-3.X of
# the matrix), collected into benchmarks/results.jsonl; then docs/performance.md's results
# section and its chart docs/_static/performance.png, from that file.  A failed benchmark
# does not stop the others, but fails the target once the report is written.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(PIP_INSTALL) -c constraints.txt -e '.[$(EXTRAS),bench]'
	@touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py; status=$$?; $(BIN)/python benchmarks/report.py && exit $$status

clean:
	rm -rf $(VENV) .venv-* .mypy_cache .pytest_cache .ruff_cache
