"""Start the dashboard: `python -m dashboard.serve [streamlit run options]` (what `make run` does).

Streamlit imports a page's libraries when the first session runs the page, so on a fresh server the first
visitor waited for pyvis (with IPython), altair, pandas and DuckDB on top of the page's own work: a second
or more. Importing them here, before the server starts, moves that wait to start-up, where nobody is looking
at a blank page. The server and its scripts share one interpreter, so every later import is a lookup.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"

# What the pages import, or Streamlit imports for them (altair draws st.bar_chart), heaviest first.
PRELOAD = (
    "pyvis.network",
    "altair",
    "pandas",
    "pyarrow",
    "duckdb",
    "networkx",
    "jinja2",
    "dashboard.data",
    "dashboard.render.pyvis_network",
    "dashboard.shaping.network",
    "dashboard.render.profile",
    "dashboard.render.agency_tables",
    "dashboard.shaping.family_tree",
    "dashboard.shaping.paths",
    "dashboard.shaping.targets",
    "dashboard.shaping.targets_export",
    "dashboard.render.coverage",
    "dashboard.render.yearly_chart",
    "dashboard.render.tables",
    "dashboard.shaping.exports",
    "dashboard.render.attributed",
    "graph.store",
    "graph.questions.queries",
)


def main() -> int:
    for name in PRELOAD:
        importlib.import_module(name)
    from streamlit.web import cli

    # the developer chrome ("Deploy", the developer menu) hidden wherever the server is started from
    sys.argv = ["streamlit", "run", str(APP), "--client.toolbarMode", "viewer", *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
