"""Contract graph dashboard: `streamlit run dashboard/app.py` (or `make run`).

Reads the store named by KG_STORE (embedded by default, under KG_HOME) through the store API only.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import data
from dashboard.render import coverage  # importable as the project is installed (`make setup`: pip install -e .)

ROOT = Path(__file__).resolve().parents[1]

VIEWS = ROOT / "dashboard" / "views"

st.set_page_config(page_title="Contract graph", layout="wide")
pages = [
    st.Page(VIEWS / "network.py", title="Network", default=True),
    st.Page(VIEWS / "vendor.py", title="Vendor profile", url_path="vendor"),
    st.Page(VIEWS / "agency.py", title="Agency profile", url_path="agency"),
    st.Page(VIEWS / "paths.py", title="Paths", url_path="paths"),
    st.Page(VIEWS / "targets.py", title="Targets", url_path="targets"),
    st.Page(VIEWS / "local.py", title="Local", url_path="local"),
    st.Page(VIEWS / "review.py", title="Review queue", url_path="review"),
    st.Page(VIEWS / "sources.py", title="Sources", url_path="sources"),
]
page = st.navigation(pages)
st.sidebar.caption(f"Store: {data.store_kind()} (set KG_STORE). Every figure links to its USAspending record.")
coverage.sidebar()
page.run()
