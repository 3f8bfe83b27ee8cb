# Two entry points, each self-sufficient from a fresh clone:
#   make build   set up, then build the knowledge base from seeds/ into out/
#   make test    set up, then run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kb-installed

.PHONY: build test setup model

build: setup
	$(BIN)/kb build seeds/ --out out/

test: setup
	$(BIN)/python -m pytest

setup: $(STAMP) model

# wheel and setuptools let `pip download` read pkuseg's source distribution.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check wheel setuptools
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# Fetches the pkuseg model once into the user cache (see README); a no-op when cached.
model: $(STAMP)
	$(BIN)/kb model fetch
