"""Settings from environment variables, in one place."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def kg_home() -> Path:
    """Where the embedded store, rejects files and the run log live (git-ignored by default)."""
    return Path(os.environ.get("KG_HOME") or ROOT / "data" / "kg")


# The local development server (`make neo4j`) and its password. Only ever used on 127.0.0.1; point
# NEO4J_URI/NEO4J_PASSWORD at a real deployment for anything else.
LOCAL_NEO4J_PASSWORD = "contract-graph-dev"


def neo4j_local_home() -> Path:
    """Where `make neo4j` keeps the local server's data and logs (git-ignored by default)."""
    return Path(os.environ.get("NEO4J_LOCAL_HOME") or ROOT / "data" / "neo4j")


def neo4j_local_port() -> int:
    return int(os.environ.get("NEO4J_LOCAL_PORT") or 7687)


def neo4j_connection() -> dict:
    """NEO4J_URI (bolt://, neo4j://, neo4j+s://), NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE;
    with none set, the local server that `make neo4j` starts."""
    return {
        "uri": os.environ.get("NEO4J_URI") or f"bolt://127.0.0.1:{neo4j_local_port()}",
        "user": os.environ.get("NEO4J_USER") or "neo4j",
        "password": os.environ.get("NEO4J_PASSWORD") or LOCAL_NEO4J_PASSWORD,
        "database": os.environ.get("NEO4J_DATABASE") or "neo4j",
    }


def neo4j_retry_seconds() -> float:
    """NEO4J_RETRY_SECONDS: how long the driver retries a write the server dropped before the load stops
    (the driver's default, 30 s, unless set)."""
    text = os.environ.get("NEO4J_RETRY_SECONDS") or "30"
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise ValueError(f"NEO4J_RETRY_SECONDS={text!r} is not a number of seconds between 0 and 3600")
    return seconds
