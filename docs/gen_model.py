"""Writes the field tables of docs/data-model.md from the declarations in core/facts.py, so a field declared there
reaches the page with no hand edit: `python -m docs.gen_model` rewrites the tables between their markers (the prose
around them is written by hand and kept), `python -m docs.gen_model --check` exits 1 when a table is stale
(tests/test_docs.py runs the check; `make docs` rewrites it with docs/cli.md).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from core.facts import award_fields_markdown

OUT = Path(__file__).resolve().parent / "data-model.md"
# Each generated table: its marker name and what makes it.
TABLES: dict[str, Callable[[], str]] = {"award-fields": award_fields_markdown}


def _block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}: [^\n]*-->\n\n)(.*?)(\n\n<!-- /{name} -->)", re.S)


def render(page: str) -> str:
    """The page with each generated table made anew from the declaration."""
    for name, table in TABLES.items():
        page, found = _block(name).subn(lambda match: match.group(1) + table() + match.group(3), page)
        if found != 1:
            raise ValueError(f"{OUT.name} must hold the markers of table {name!r} once (found {found})")
    return page


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    page = OUT.read_text(encoding="utf-8")
    text = render(page)
    if check:
        if text != page:
            sys.stderr.write(f"{OUT} is stale: run `python -m docs.gen_model` and commit the result\n")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
