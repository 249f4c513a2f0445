"""The documentation stays true: the short README points only at files that exist and its example commands parse;
the manual in docs/ builds with MkDocs with every warning an error (links and anchors included); the
command-line reference is what the parsers say today; the hand-written command pages name every subcommand; the
data model's field tables are generated from what core/facts.py declares.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from docs import gen_cli, gen_model

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_cli_reference_is_generated_from_the_parsers():
    assert text(DOCS / "cli.md") == gen_cli.render(), "docs/cli.md is stale: run `python -m docs.gen_cli`"
    assert gen_cli.main(["--check"]) == 0


def test_the_site_builds_with_warnings_as_errors(tmp_path):
    # not --quiet: mkdocs 1.6 then stops counting the warnings --strict aborts on
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr, result.stderr[-3000:]
    built = {p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*.html")}
    pages = {p.with_suffix(".html").name for p in DOCS.glob("*.md")}
    assert pages <= built
    assert (tmp_path / "site" / "images" / "network.png").is_file()


def _section(page: str, cli: str) -> str:
    """The part of a page under the heading that names `python -m <cli>`, up to the next heading of its level."""
    match = re.search(rf"^(#+)[^\n]*python -m {cli}\b[^\n]*$", page, re.M)
    if not match:
        return ""
    end = re.compile(rf"^#{{1,{len(match.group(1))}}}\s", re.M).search(page, match.end())
    return page[match.end() : end.start() if end else len(page)]


def test_the_commands_page_describes_every_subcommand():
    """docs/commands.md is written by hand: each subcommand the parsers declare has its row or its sentence."""
    page = text(DOCS / "commands.md")
    missing = []
    for cli, parser in gen_cli.parsers():
        section = _section(page, cli)
        for name in gen_cli.subcommands(parser):
            written_out = re.search(rf"python -m {cli}\b[^\n]*?\s{re.escape(name)}(?=[\s`'\"]|$)", page, re.M)
            in_section = re.search(rf"`{re.escape(name)}(?=[\s`])", section)
            if not (written_out or in_section):
                missing.append(f"python -m {cli} {name}")
    assert not missing, f"docs/commands.md does not describe: {missing}"
    reference = text(DOCS / "cli.md")
    for cli, parser in gen_cli.parsers():
        for name in gen_cli.subcommands(parser):
            assert f"### `python -m {cli} {name}`" in reference


def test_the_data_model_tables_are_generated_from_the_declarations():
    from core.facts import AWARD_FIELDS, award_fields_markdown

    page = text(DOCS / "data-model.md")
    assert gen_model.render(page) == page, "docs/data-model.md is stale: run `python -m docs.gen_model`"
    assert gen_model.main(["--check"]) == 0
    assert award_fields_markdown() in page
    newest = f"| `{AWARD_FIELDS[-1].name}` |"  # a page written before the newest field was declared is stale
    older = "\n".join(line for line in page.splitlines() if not line.startswith(newest)) + "\n"
    assert older != page and gen_model.render(older) == page


def test_the_readme_is_short_and_its_links_resolve():
    readme = text(README)
    assert len(readme.splitlines()) <= 150
    targets = [t for t in LINK.findall(readme) if not re.match(r"[a-z]+:", t)]
    assert targets, "the README links into the docs"
    for target in targets:
        path = target.split("#")[0]
        assert (ROOT / path).exists(), f"README.md links to {target}, which does not exist"
    linked = {Path(t.split("#")[0]).name for t in targets}
    unlinked = sorted(p.name for p in DOCS.glob("*.md") if p.name not in linked)
    assert not unlinked, f"README.md does not link to {unlinked}"


def _examples(markdown: str) -> list[str]:
    """The `python -m graph|ingest` commands of a page: lines of its sh blocks and inline code."""
    blocks = re.findall(r"^```sh\n(.*?)^```", markdown, re.M | re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    inline = re.findall(r"`(python -m [^`]+)`", markdown)
    return [c for c in lines + inline if re.match(r"python -m (graph|ingest) ", c)]


@pytest.mark.parametrize("command", _examples(text(README)))
def test_every_readme_example_is_a_valid_command(command):
    words = shlex.split(command)
    parsers = dict(gen_cli.parsers())
    assert words[2] in parsers, command
    parsers[words[2]].parse_args(words[3:])  # a bad option exits 2 (SystemExit fails the test)
