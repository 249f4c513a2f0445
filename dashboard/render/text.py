"""Record text shown through Streamlit elements that read Markdown: make it literal.

Streamlit never renders raw HTML without `unsafe_allow_html` (which this app never uses), but Markdown
would still turn `*`, `[x](…)` or `#` inside a vendor's name into formatting or links; `md` backslash-
escapes them (and HTML's specials), so a name always reads exactly as it was recorded.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:$])")


def md(value) -> str:
    return _MARKDOWN.sub(r"\\\1", html.escape(str(value if value is not None else ""), quote=False))


LINKED_HOSTS = ("www.usaspending.gov", "sam.gov")  # the public record's own pages


def record_link(value) -> str | None:
    """A record's URL for a LinkColumn only when it is an https page of USAspending or SAM.gov; anything else
    (another host, http, javascript:, data:, vbscript:, a path) is no link, so a spoofed permalink cannot send a
    reader elsewhere."""
    parts = urlsplit(str(value or "").strip())
    return parts.geturl() if parts.scheme.lower() == "https" and (parts.hostname or "") in LINKED_HOSTS else None


def web_link(value) -> str | None:
    """A local record's page (a portal, a city's document) as a link only when it is an http(s) address with a
    host; anything else (javascript:, data:, a path) is no link."""
    parts = urlsplit(str(value or "").strip())
    return parts.geturl() if parts.scheme.lower() in ("http", "https") and parts.hostname else None
