"""Shared fixtures: the real recorded data in ../shared/data (read-only) and a fresh store home."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED", ROOT.parent / "shared")).resolve()
SHARED_DATA = SHARED / "data"


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
def neo4j_store(neo4j_server):
    """An empty Neo4j store (the test server's database is cleared before and after)."""
    from graph.neo4j_store import Neo4jStore

    store = Neo4jStore(**neo4j_server)
    store.clear()
    yield store
    store.clear()
    store.close()
