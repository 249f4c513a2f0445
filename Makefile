# Two commands for a newcomer: `make run` and `make test` (both set everything up first).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export KG_HOME ?= $(CURDIR)/data/kg
SAMPLE := $(wildcard data/sample/*.csv)

.PHONY: run dashboard test browser setup load report bench sample clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Load the bundled sample into the embedded store, then open the dashboard (http://localhost:$(PORT)).
run: setup load dashboard

dashboard: setup
	$(PY) -m streamlit run dashboard/app.py --server.headless true --browser.gatherUsageStats false \
		--server.port $(PORT)

load: setup
	$(PY) -m ingest normalized $(SAMPLE)

report: setup
	$(PY) -m graph stats
	$(PY) -m graph vendor Palantir
	$(PY) -m graph vendor "Clearview AI"
	$(PY) -m graph vendor Amazon.com
	$(PY) -m graph agency ICE

test: setup browser
	$(PY) -m pytest -q tests

# The browser test drives Debian's chromium (Playwright cannot download its own browsers here).
browser:
	test -x /usr/bin/chromium || ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium) \
		|| echo "chromium could not be installed: the browser test will be skipped (it fails under CI)" >&2

bench: setup
	$(PY) bench/load_real_files.py

# Rebuild data/sample from the real files in ../shared/data (see data/sample/README.md).
sample: setup
	bash data/sample/make_sample.sh

clean:
	rm -rf $(KG_HOME)
