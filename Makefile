# Two commands for a newcomer: `make run` and `make test` (both set everything up first).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export KG_HOME ?= $(CURDIR)/data/kg
SAMPLE := $(wildcard data/sample/*.csv)

.PHONY: run test setup load report bench sample clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Load the bundled sample into the embedded store, then run the main job.
run: setup load report

load: setup
	$(PY) -m ingest normalized $(SAMPLE)

report: setup
	$(PY) -m graph stats
	$(PY) -m graph vendor Palantir
	$(PY) -m graph vendor "Clearview AI"
	$(PY) -m graph vendor Amazon.com
	$(PY) -m graph agency ICE

test: setup
	$(PY) -m pytest -q tests

bench: setup
	$(PY) bench/load_real_files.py

# Rebuild data/sample from the real files in ../shared/data (see data/sample/README.md).
sample: setup
	bash data/sample/make_sample.sh

clean:
	rm -rf $(KG_HOME)
