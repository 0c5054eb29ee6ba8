# Two commands: `make demo` and `make test`.  Both work on a fresh machine with
# only python3 and pip: they create .venv and install what they need.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# parsl's shipped tests need pytest < 9: their own environment (see parsl-suite below)
SUITE_VENV := .venv-parsl-suite
EXTRAS := parsl,dask,test
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
# Editable installs put the checkout on sys.path (a .pth entry): mypy, which runs on the package
# in the tests, cannot follow the import hook setuptools' default editable mode installs.
EDITABLE := --config-settings editable_mode=compat -e

.PHONY: demo test lint typecheck pytest matrix test-slow bench venv clean pyright plugin-compat docs parsl-suite

# setup.py builds the checking engine's optional C hook into the source tree (editable install).
$(STAMP): pyproject.toml constraints.txt setup.py parsl_executor_protocol/checking/_speedups.c
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -c constraints.txt $(EDITABLE) '.[$(EXTRAS)]'
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

# The whole suite through the C isinstance hook, then the checking tests through the
# pure-Python hook, the one an install without a C compiler runs.
CHECKING_TESTS := tests/test_checking.py tests/test_checking_hostile.py tests/test_checking_threads.py \
	tests/test_checking_containers.py tests/test_checking_speedups.py
pytest: $(STAMP) $(SUITE_VENV)/.installed
	$(BIN)/python -m pytest -q
	PARSL_EXECUTOR_PROTOCOL_PURE_PYTHON=1 $(BIN)/python -m pytest -q $(CHECKING_TESTS)

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
		-c $(MYPY_OLD)/constraints.txt $(EDITABLE) '.[parsl]' mypy==1.15.0 pytest pytest-timeout
	@touch $@

plugin-compat: $(MYPY_OLD)/.installed
	$(MYPY_OLD)/bin/python -m pytest -q tests/test_mypy_plugin.py

# Parsl's shipped test suite on every adapter backend and on parsl's own executors, one
# table (docs/parsl-suite.md).  Its side environment has the [parsl-suite] extra, whose
# pytest < 8 cannot share .venv with the [test] extra's pytest 9: constraints.txt without
# its pytest pin, plus constraints-parsl-suite.txt.  The whole table is not part of
# `make test`; `make test` builds the environment so that the smoke tests in
# tests/test_cli_parsl_suite.py run a small selection of parsl's tests through it.
$(SUITE_VENV)/.installed: pyproject.toml constraints.txt constraints-parsl-suite.txt
	@test -x $(SUITE_VENV)/bin/python || $(PYTHON) -m venv $(SUITE_VENV)
	grep -v '^pytest==' constraints.txt > $(SUITE_VENV)/constraints.txt
	cat constraints-parsl-suite.txt >> $(SUITE_VENV)/constraints.txt
	$(SUITE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c $(SUITE_VENV)/constraints.txt $(EDITABLE) '.[parsl-suite,dask,loky,mpi]'
	@touch $@

parsl-suite: $(SUITE_VENV)/.installed
	$(SUITE_VENV)/bin/python benchmarks/parsl_suite.py

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
	$(PIP_INSTALL) -c constraints.txt $(EDITABLE) '.[$(EXTRAS),bench]'
	@touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py; status=$$?; $(BIN)/python benchmarks/report.py && exit $$status

clean:
	rm -rf $(VENV) .venv-* .mypy_cache .pytest_cache .ruff_cache
