# Everything a newcomer needs, with nothing but Python 3 and make:
#   make run    execute both notebooks end to end (models/ and results/ are filled in)
#   make test   lint (ruff, mypy), unit tests, the wheel installed and used outside the clone,
#               both notebooks under nbval, browser tests
#   make lab    open JupyterLab in the project's environment
#   make bench  benchmarks, written to results/bench.csv
#   make recognizer  re-train the digit recogniser shipped in mnistlib/recognition/assets (~8 min)
# Each target creates .venv, installs the project and fetches MNIST once, as needed.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: help setup data run test unit lint install-test nbval browser lab bench recognizer clean

help:
	@sed -n '2,8p' Makefile

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(STAMP)

data: $(STAMP)
	$(PY) -m mnistlib fetch-data

run: data
	$(PY) scripts/run_notebooks.py notebooks/01_classification.ipynb notebooks/02_recognition.ipynb

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

unit: data
	$(PY) -m pytest -q -m "not browser" tests

nbval: data
	$(PY) -m pytest -q --nbval-lax --nbval-current-env --nbval-cell-timeout=1800 \
		-p no:cacheprovider notebooks/01_classification.ipynb notebooks/02_recognition.ipynb

browser: data
	$(PY) -m pytest -q -m browser tests

# The wheel in a fresh venv, used from an empty folder (scripts/install_test.py says how).
install-test: data
	$(PY) scripts/install_test.py

# nbval runs first: notebook 01 saves the models that notebook 02 and the browser tests use.
test: lint unit install-test nbval browser

lab: data
	$(VENV)/bin/jupyter lab notebooks/

recognizer: data
	$(PY) scripts/train_recognizer.py

bench: data
	$(PY) -m benchmarks

clean:
	rm -rf executed/ results/ models/ test-artifacts/ .pytest_cache .ruff_cache .mypy_cache
