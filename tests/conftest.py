"""Shared fixtures: the real recorded data in ../shared/data (read-only) and a fresh store home."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared")).resolve()
SHARED_DATA = SHARED / "data"


@pytest.fixture(scope="session", autouse=True)
def own_judgements(tmp_path_factory):
    """Tests never read or write the curated data/judgements.csv: each session has an empty file of its own (a
    test that records judgements points KG_JUDGEMENTS at its own)."""
    path = tmp_path_factory.mktemp("judgements") / "judgements.csv"
    previous = os.environ.get("KG_JUDGEMENTS")
    os.environ["KG_JUDGEMENTS"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("KG_JUDGEMENTS", None)
    else:
        os.environ["KG_JUDGEMENTS"] = previous


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data not found at {SHARED_DATA}: clone next to shared/ or set KG_SHARED")
    return SHARED_DATA


@pytest.fixture(scope="session")
def api_responses(shared_data) -> Path:
    return shared_data / "usaspending_api_responses"


# -- Neo4j: the test server `make test` starts (never NEO4J_URI: tests empty the database) ----------
NEO4J_TEST_URI = os.environ.get("KG_TEST_NEO4J_URI", "bolt://127.0.0.1:7688")
REQUIRE_NEO4J = bool(os.environ.get("CI") or os.environ.get("KG_REQUIRE_NEO4J"))


def pytest_configure(config):
    config.addinivalue_line("markers", "neo4j: needs the Neo4j test server (make test starts it)")


@pytest.fixture(scope="session")
def neo4j_server() -> dict:
    """Connection settings for the test server; fails under CI, skips elsewhere when it is not running."""
    from graph.neo4j_store import Neo4jStore
    from graph.store import StoreUnavailable

    connection = {"uri": NEO4J_TEST_URI, "user": os.environ.get("NEO4J_USER") or "neo4j",
                  "password": os.environ.get("NEO4J_PASSWORD") or "contract-graph-dev", "database": "neo4j"}
    try:
        Neo4jStore(**connection).close()
    except StoreUnavailable as error:
        message = (f"Neo4j test server not reachable at {NEO4J_TEST_URI} ({error}). Start it with `make test` "
                   f"(it runs `python -m graph.neo4j_local start --home data/neo4j-test --port 7688`; needs Java 17 "
                   f"and Maven) or point KG_TEST_NEO4J_URI at a server whose database may be emptied")
        if REQUIRE_NEO4J:
            pytest.fail(message)
        pytest.skip(message)
    return connection


@pytest.fixture
def neo4j_store(neo4j_server, tmp_path):
    """An empty Neo4j store (the test server's database is cleared before and after)."""
    from graph.neo4j_store import Neo4jStore

    store = Neo4jStore(home=tmp_path / "kg", **neo4j_server)
    store.clear()
    yield store
    store.clear()
    store.close()


# -- every store through one fixture: tests that take `make_store` (or a module's loaded store) run on each ---
STORE_KINDS = [pytest.param("embedded", id="embedded"), pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j)]


def open_test_store(kind: str, home: Path, request, fresh: bool = True):
    """A store of `kind` keeping its files under `home`; `fresh` empties it first (Neo4j: the test server)."""
    from graph.store import open_store

    if kind == "neo4j":
        store = open_store("neo4j", home=home, **request.getfixturevalue("neo4j_server"))
        if fresh:
            store.clear()
        return store
    return open_store(kind, home=home)


@pytest.fixture(params=STORE_KINDS)
def store_kind(request) -> str:
    return request.param


@pytest.fixture
def make_store(store_kind, request, tmp_path):
    """Opens a store of the kind under test (`make()`, or `make(home)`); the first call starts it empty."""
    opened = []

    def make(home: Path | None = None):
        store = open_test_store(store_kind, Path(home or tmp_path / "kg"), request, fresh=not opened)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture(scope="session")
def bundle_home(tmp_path_factory) -> Path:
    """The bundled data plus the hostile record, loaded once for all the page tests, which only read it."""
    from tests.dashboard_support import load_sample

    return load_sample(tmp_path_factory.mktemp("bundle"), hostile=True)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def home(bundle_home, monkeypatch_module) -> Path:
    """The bundle's store as the dashboard's (KG_HOME, embedded) for one test module."""
    monkeypatch_module.setenv("KG_HOME", str(bundle_home))
    monkeypatch_module.setenv("KG_STORE", "embedded")
    return bundle_home

