"""Settings from environment variables, in one place."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def kg_home() -> Path:
    """Where the embedded store, rejects files and the run log live (git-ignored by default)."""
    return Path(os.environ.get("KG_HOME") or ROOT / "data" / "kg")
