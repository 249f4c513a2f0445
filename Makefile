# Two commands for a newcomer: `make run` and `make test` (both set everything up first).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export KG_HOME ?= $(CURDIR)/data/kg
SAMPLE := $(wildcard data/sample/*.csv.gz)
VEHICLES := $(wildcard data/vehicles/*.csv.gz)

# The Neo4j test server: its own data directory and port, so tests never empty a database you use.
NEO4J_TEST_PORT ?= 7688
NEO4J_TEST := $(PY) -m graph.stores.neo4j.server --home data/neo4j-test --port $(NEO4J_TEST_PORT) --heap 1g --page-cache-mb 512

.PHONY: run dashboard test browser setup load report bench bench-store bench-neo4j sample clean neo4j neo4j-stop \
	neo4j-test-server neo4j-test-stop docs lock check

setup: $(VENV)/.installed

# Every pinned version (requirements-dev.txt: what runs, tests, lints and builds the docs), then this project
# editable (compat: the checkout itself goes on the path, so bench scripts and Streamlit's page files import
# core, graph, ingest, dashboard and tests from anywhere), with the `contractgraph` command.
$(VENV)/.installed: requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e . --config-settings editable_mode=compat
	touch $@

# Remake the lock files from pyproject.toml after changing a dependency there; pinned versions stay unless
# UPGRADE=--upgrade. requirements.txt is what runs; requirements-dev.txt adds the extras at the same versions.
lock: setup
	$(PY) -m uv pip compile --quiet $(UPGRADE) pyproject.toml --extra neo4j --extra dashboard --python-version 3.11 \
		-o requirements.txt
	$(PY) -m uv pip compile --quiet $(UPGRADE) pyproject.toml --all-extras -c requirements.txt --python-version 3.11 \
		-o requirements-dev.txt

# Lint and format (ruff, rules in pyproject.toml; `ruff format .` and `ruff check --fix .` mend them) and types
# (mypy: strict on core/ and the store contract): part of `make test`.
check: setup
	$(PY) -m ruff check --quiet .
	$(PY) -m ruff format --check --quiet .
	$(PY) -m mypy

PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Load the bundled sample into the embedded store, then open the dashboard (http://localhost:$(PORT)).
run: setup load dashboard

dashboard: setup
	$(PY) -m dashboard.serve --server.headless true --browser.gatherUsageStats false \
		--server.port $(PORT)

load: setup
	$(PY) -m ingest normalized --coverage data/sample/coverage.csv $(SAMPLE) $(VEHICLES)

report: setup
	$(PY) -m graph stats
	$(PY) -m graph vendor Palantir
	$(PY) -m graph vendor "Clearview AI"
	$(PY) -m graph vendor Amazon.com
	$(PY) -m graph agency ICE

# Every test, Neo4j's included (the test server is started first and left running for the next run;
# without Java/Maven the Neo4j tests skip with a message, except under CI where they fail). The tests reach it
# through a neo4j:// URI, the routing driver a cluster or Aura uses, so every question and write goes through it;
# tests/test_neo4j_store.py drives a second server through bolt://, the direct driver. The 25 slowest tests are
# listed at the end, to keep the suite within its time.
test: setup browser icu check
	-$(NEO4J_TEST) start
	KG_TEST_NEO4J_URI=neo4j://127.0.0.1:$(NEO4J_TEST_PORT) $(PY) -m pytest -q --durations=25 tests

# A local Neo4j Community 5.26 on bolt://127.0.0.1:7687 (data in data/neo4j, user neo4j, password
# NEO4J_PASSWORD or the dev default): what `--store neo4j` talks to when no NEO4J_URI is set.
neo4j: setup
	$(PY) -m graph.stores.neo4j.server start

neo4j-stop: setup
	$(PY) -m graph.stores.neo4j.server stop

neo4j-test-server: setup
	$(NEO4J_TEST) start

neo4j-test-stop: setup
	$(NEO4J_TEST) stop

# The browser test drives Debian's chromium (Playwright cannot download its own browsers here).
# tests/test_ftm.py builds the FollowTheMoney library's own environment once; its pyicu compiles against ICU's headers.
icu:
	pkg-config --exists icu-i18n || ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends \
		libicu-dev pkg-config g++) || echo "ICU headers could not be installed: the FtM test will be skipped" >&2

browser:
	test -x /usr/bin/chromium || ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium) \
		|| echo "chromium could not be installed: the browser test will be skipped (it fails under CI)" >&2

bench: setup
	$(PY) bench/load_real_files.py

# The stores at real size (28k, 280k and 1.5M actions): load rate, peak memory, open time, p50/p95 of every
# question, against the targets of issue 8; bench-neo4j adds the local Neo4j (it empties its database).
bench-store: setup
	$(PY) bench/store_bench.py --baseline 4b232fa

bench-neo4j: neo4j
	$(PY) bench/store_bench.py --neo4j

# The manual: docs/cli.md regenerated from the parsers and the tables of docs/data-model.md from core/facts.py,
# then the site built into site/ (a warning is an error).
docs: setup
	$(PY) -m docs.gen_cli
	$(PY) -m docs.gen_model
	$(PY) -m mkdocs build --strict

# Rebuild data/sample from the real files in ../shared/data (see data/sample/README.md).
sample: setup
	bash data/sample/make_sample.sh

clean:
	rm -rf $(KG_HOME)
