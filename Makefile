# Everything a newcomer needs, with nothing but Python 3 and make:
#   make run    execute both notebooks end to end (models/ and results/ are filled in)
#   make lab    open JupyterLab in the project's environment
#   make test   lint, unit tests, the wheel installed and used outside the clone, both notebooks
#               under nbval, browser tests
#   make lint   ruff, mypy and the import contract (pyproject.toml, [tool.importlinter])
#   make bench  benchmarks, written to results/bench.csv
#   make recognizer  re-train the digit recogniser into models/ (~8 min; scripts/train_recognizer.py)
#   make setup  only create .venv with what the notebooks need; make data: that, and fetch MNIST
#   make dev-data  the same with the developer tools; make quick: the fast unit tests only
# Each target creates .venv, installs the project (about 700 MB of downloads, 2.8 GB installed)
# and fetches MNIST once (about 11 MB), as needed. `make run` and `make lab` install what the
# notebooks need only (.[notebooks]); the developer tools (pytest, ruff, mypy, playwright...)
# come with the targets that use them (.[dev]). Also: unit, install-test, nbval, browser, clean.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# What is installed: a learner's set (the notebooks' extra), then the developer tools on top.
STAMP  := $(VENV)/.installed-notebooks
DEV    := $(VENV)/.installed-dev
export PYTHONDONTWRITEBYTECODE := 1
export TF_CPP_MIN_LOG_LEVEL := 3
# Quick mode is for smoke runs by hand: `make run` and `make test` always use the full data.
unexport MNISTLIB_FAST
# JupyterLab refuses to start as root (containers, cloud machines) unless told it may.
LAB_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

.PHONY: help setup data dev-data run test unit quick lint install-test nbval browser lab bench \
	recognizer clean

help:
	@sed -n '2,15p' Makefile

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "error: $(PYTHON) cannot make \
	virtual environments; on Debian or Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@echo "Installing the project and its dependencies (TensorFlow: about 700 MB to download)..."
	$(PY) -m pip install --progress-bar on -e '.[notebooks]'
	@touch $@

$(DEV): $(STAMP)
	$(PY) -m pip install --progress-bar on -e '.[dev]'
	@touch $@

setup: $(STAMP)

data: $(STAMP)
	$(PY) -m mnistlib fetch-data

dev-data: $(DEV) data

run: data
	$(PY) scripts/run_notebooks.py notebooks/01_classification.ipynb notebooks/02_recognition.ipynb

lint: $(DEV)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

# Spread over the cores (at most 4 workers: each imports TensorFlow); each worker runs whole
# test modules, so a module's fixtures are built once.
XDIST = -n auto --maxprocesses=4 --dist loadfile

unit: dev-data
	$(PY) -m pytest -q $(XDIST) -m "not browser" tests

# The unit tests that take seconds, while you edit (no training, no subprocess pools).
quick: dev-data
	$(PY) -m pytest -q $(XDIST) -m "not browser and not slow" tests

nbval: dev-data
	$(PY) -m pytest -q --nbval-lax --nbval-current-env --nbval-cell-timeout=1800 \
		-p no:cacheprovider notebooks/01_classification.ipynb notebooks/02_recognition.ipynb

browser: dev-data
	$(PY) -m pytest -q -m browser tests

# The wheel in a fresh venv, used from an empty folder (scripts/install_test.py says how).
install-test: dev-data
	$(PY) scripts/install_test.py

# nbval runs before the browser tests: notebook 01 saves the models that notebook 02 and the
# browser tests use.
test: lint unit install-test nbval browser

lab: data
	$(VENV)/bin/jupyter lab $(LAB_ROOT) notebooks/

recognizer: data
	$(PY) scripts/train_recognizer.py

bench: dev-data
	$(PY) -m benchmarks

clean:
	rm -rf executed/ results/ models/ test-artifacts/ .pytest_cache .ruff_cache .mypy_cache
