"""Shared fixtures: the real recorded data in ../shared/data (read-only), its excerpts in tests/fixtures/data
(in the repository) and a fresh store home.

A test that takes `shared_data` needs the full real files: it is marked `shared` on collection, so
`pytest -m "not shared"` runs the rest from a bare clone. Without ../shared it skips (under CI it fails)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from graph.store import STORES

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared")).resolve()
SHARED_DATA = SHARED / "data"
EXCERPTS = ROOT / "tests" / "fixtures" / "data"  # the first rows of those files, same relative paths (README.md)
SHARED_FIXTURES = {"shared_data"}


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
    """The full real files; skips when they are not there (fails under CI, which must run every test)."""
    if not SHARED_DATA.is_dir():
        message = (
            f"needs the full real data at {SHARED_DATA} (not found): clone next to shared/ or set "
            f'KG_SHARED; `pytest -m "not shared"` runs without it'
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def excerpts() -> Path:
    """tests/fixtures/data: the first rows of each real file, laid out as ../shared/data (for tests that need
    real rows, not a whole file's figures)."""
    return EXCERPTS


@pytest.fixture(scope="session")
def api_responses(excerpts) -> Path:
    """The recorded API answers (small, copied whole into tests/fixtures/data)."""
    return excerpts / "usaspending_api_responses"


# -- Neo4j: the test server `make test` starts (never NEO4J_URI: tests empty the database) ----------
NEO4J_TEST_URI = os.environ.get("KG_TEST_NEO4J_URI", "neo4j://127.0.0.1:7688")
REQUIRE_NEO4J = bool(os.environ.get("CI") or os.environ.get("KG_REQUIRE_NEO4J"))


def pytest_configure(config):
    config.addinivalue_line("markers", "neo4j: needs the Neo4j test server (make test starts it)")
    config.addinivalue_line(
        "markers",
        "shared: needs the full real files in ../shared/data (KG_SHARED); "
        "set on every test that uses the shared_data fixture",
    )


def pytest_collection_modifyitems(config, items):
    """Marks `shared` each test whose fixtures reach the full real files, so `-m "not shared"` leaves them out."""
    for item in items:
        if SHARED_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.shared)


def pytest_collection_finish(session):
    """Starts building the FollowTheMoney environment (two minutes of compiling) beside the tests that come first,
    when a test that needs it was selected."""
    if any("ftm_python" in getattr(item, "fixturenames", ()) for item in session.items):
        from tests import ftm_env

        ftm_env.start_in_background()


@pytest.fixture(scope="session")
def neo4j_server() -> dict:
    """Connection settings for the test server; fails under CI, skips elsewhere when it is not running."""
    from graph.store import StoreUnavailable
    from graph.stores.neo4j.store import Neo4jStore

    connection = {
        "uri": NEO4J_TEST_URI,
        "user": os.environ.get("NEO4J_USER") or "neo4j",
        "password": os.environ.get("NEO4J_PASSWORD") or "contract-graph-dev",
        "database": "neo4j",
    }
    try:
        Neo4jStore(**connection).close()
    except StoreUnavailable as error:
        message = (
            f"Neo4j test server not reachable at {NEO4J_TEST_URI} ({error}). Start it with `make test` "
            f"(it runs `python -m graph.stores.neo4j.server start --home data/neo4j-test --port 7688`; needs Java 17 "
            f"and Maven) or point KG_TEST_NEO4J_URI at a server whose database may be emptied"
        )
        if REQUIRE_NEO4J:
            pytest.fail(message)
        pytest.skip(message)
    return connection


@pytest.fixture
def neo4j_store(neo4j_server, tmp_path):
    """An empty Neo4j store (the test server's database is cleared before and after)."""
    from graph.stores.neo4j.store import Neo4jStore

    store = Neo4jStore(home=tmp_path / "kg", **neo4j_server)
    store.clear()
    yield store
    store.clear()
    store.close()


# -- every store through one fixture: tests that take `make_store` (or a module's loaded store) run on each ---
class StoreFactory(NamedTuple):
    """How tests open one store of graph.store.STORES: the `open_store` options of its test server, its marks,
    whether its database is shared between tests (then emptied before and after), and the environment a command
    line (`python -m ingest|graph --store KIND`) needs to reach the same store."""

    options: Callable[[pytest.FixtureRequest], dict]
    marks: tuple = ()
    shared_server: bool = False
    env: Callable[[pytest.FixtureRequest], dict[str, str]] = lambda request: {}


# one per entry of graph.store.STORES (tests/test_store_contract.py fails when an entry has none)
STORE_FACTORIES = {
    "embedded": StoreFactory(lambda request: {}),
    "neo4j": StoreFactory(
        lambda request: request.getfixturevalue("neo4j_server"),
        (pytest.mark.neo4j,),
        True,
        lambda request: {
            f"NEO4J_{name.upper()}": value for name, value in request.getfixturevalue("neo4j_server").items()
        },
    ),
}
STORE_KINDS = [
    pytest.param(kind, id=kind, marks=STORE_FACTORIES[kind].marks) for kind in STORES if kind in STORE_FACTORIES
]


def open_test_store(kind: str, home: Path, request, fresh: bool = True):
    """A store of `kind` keeping its files under `home`; `fresh` empties a shared one first (the test server)."""
    from graph.store import open_store

    factory = STORE_FACTORIES[kind]
    store = open_store(kind, home=home, **factory.options(request))
    if fresh and factory.shared_server:
        store.clear()
    return store


def store_env(kind: str, request) -> dict[str, str]:
    """What a command line's environment needs to open the test store of `kind` (KG_STORE and its server)."""
    return {"KG_STORE": kind, **STORE_FACTORIES[kind].env(request)}


def close_test_store(store) -> None:
    """Close a store `open_test_store` gave, emptying a shared one (the test server) first."""
    if STORE_FACTORIES[store.kind].shared_server:
        store.clear()
    store.close()


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
