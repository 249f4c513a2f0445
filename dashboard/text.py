"""Record text shown through Streamlit elements that read Markdown: make it literal.

Streamlit never renders raw HTML without `unsafe_allow_html` (which this app never uses), but Markdown
would still turn `*`, `[x](…)` or `#` inside a vendor's name into formatting or links; `md` backslash-
escapes them (and HTML's specials), so a name always reads exactly as it was recorded.
"""
from __future__ import annotations

import html
import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:$])")


def md(value) -> str:
    return _MARKDOWN.sub(r"\\\1", html.escape(str(value if value is not None else ""), quote=False))


def http_link(value) -> str | None:
    """A URL for a LinkColumn only when it is http(s); anything else (javascript:, data:, a path) is no link."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else None
