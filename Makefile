# `make run` and `make test` need only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test eval bench check clean

# pip, not python, marks a venv as made: `python -m venv` without ensurepip (Debian and Ubuntu
# without python3-venv) leaves .venv/bin/python behind, and the next run must make it again.
$(PIP):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "error: the bot needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>/dev/null || echo "not found"). Run e.g. 'make $(MAKECMDGOALS) PYTHON=python3.12'." >&2; exit 1; }
	@echo "setting up $(VENV) with $(PYTHON)" >&2
	@$(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true

$(VENV)/.run-deps: pyproject.toml | $(PIP)
	@echo "installing the bot into $(VENV)" >&2
	@$(PIP) install --quiet -e . >$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log >&2; exit 1; }
	@touch $@

$(VENV)/.test-deps: pyproject.toml | $(PIP)
	@echo "installing the bot and its test dependencies into $(VENV)" >&2
	@$(PIP) install --quiet -e '.[test]' >$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log >&2; exit 1; }
	@touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	@$(PY) -m bot serve

test: $(VENV)/.test-deps
	$(PY) -m pytest

check: $(VENV)/.run-deps
	$(PY) -m bot knowledge check

eval: $(VENV)/.run-deps
	$(PY) -m bot eval tests/eval/*.yaml

bench: $(VENV)/.run-deps
	$(PY) benchmarks/bench_engine.py

clean:
	rm -rf $(VENV)
