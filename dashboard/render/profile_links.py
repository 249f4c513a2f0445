"""Links from a table cell to a profile page, showing the entity's name as recorded.

The URL asks the profile by an unambiguous key (a vendor id, an agency code) and carries the name, percent-
encoded, in its fragment; `LinkColumn(display_text=NAME_IN_LINK)` shows that name decoded, as plain text
(a data grid cell renders no HTML or Markdown). A record's URL is never used here.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, unquote

import streamlit as st

NAME_IN_LINK = r"#(.+)$"


@lru_cache(maxsize=1 << 16)  # every rerun of a page links the same names again, for every session
def vendor_url(key: str | None, name: str | None) -> str | None:
    """`key`: a vendor or family id (or a name) the vendor page resolves."""
    if not key and not name:
        return None
    return f"/vendor?name={quote(key or name, safe='')}#{quote(name or key, safe='')}"


@lru_cache(maxsize=1 << 16)
def agency_url(key: str | None, name: str | None) -> str | None:
    """`key`: an agency code (or name) the agency page finds."""
    if not key and not name:
        return None
    return f"/agency?name={quote(key or name, safe='')}#{quote(name or key, safe='')}"


def name_in(url: str | None) -> str | None:
    """The name a profile link shows (what the grid displays), for tests and exports."""
    return unquote(url.split("#", 1)[1]) if url and "#" in url else None


def column(label: str, **options):
    return st.column_config.LinkColumn(label, display_text=NAME_IN_LINK, **options)
