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
