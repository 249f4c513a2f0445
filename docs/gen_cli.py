"""Writes docs/cli.md, the command-line reference, from the argparse parsers themselves, so it cannot drift
from the code: `python -m docs.gen_cli` rewrites it, `python -m docs.gen_cli --check` exits 1 when it is stale
(tests/test_docs.py runs the check). The usage lines are built here, not by argparse's formatter, whose layout
changes with the terminal's width and the Python version.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "cli.md"


def parsers() -> list[tuple[str, argparse.ArgumentParser]]:
    """Every command line the project documents, by the module that runs it."""
    from graph.cli import build_parser as graph_parser
    from ingest.cli import build_parser as ingest_parser

    return [("ingest", ingest_parser()), ("graph", graph_parser())]


def subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[str, argparse.ArgumentParser]]:
    """name -> (its one-line help, its parser), in the order the parser declares them."""
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
    return {name: (helps.get(name, ""), sub) for name, sub in action.choices.items()}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no pipe, no raw HTML, no line break."""
    return (
        " ".join(str(text).split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    )


def _metavar(action: argparse.Action) -> str:
    if action.metavar is not None:
        return str(action.metavar)
    if action.choices is not None:
        return "{" + ",".join(str(c) for c in action.choices) + "}"
    return action.dest if not action.option_strings else action.dest.upper()


def _shape(action: argparse.Action) -> str:
    """The argument as typed: `--flag`, `--opt NAME`, `PATH [PATH ...]`."""
    name = action.option_strings[-1] if action.option_strings else ""
    if action.nargs == 0:
        return name
    meta = _metavar(action)
    value = {"+": f"{meta} [{meta} ...]", "*": f"[{meta} ...]", "?": f"[{meta}]"}.get(action.nargs, meta)
    return f"{name} {value}".strip()


def _arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]


def usage(prog: str, parser: argparse.ArgumentParser) -> str:
    parts = [prog]
    for action in _arguments(parser):
        shape = _shape(action)
        optional = action.option_strings and not action.required
        parts.append(f"[{shape}]" if optional else shape)
    return " ".join(parts)


def _default(action: argparse.Action) -> str:
    value = action.default
    if value is None or value is False or value == [] or value == argparse.SUPPRESS or action.nargs == 0:
        return ""
    return f"`{value}`"


def table(parser: argparse.ArgumentParser) -> list[str]:
    rows = _arguments(parser)
    if not rows:
        return []
    lines = ["| argument | default | what it is |", "|---|---|---|"]
    for action in rows:
        shown = f"`{_shape(action)}`"
        if len(action.option_strings) > 1:  # -v, --verbose
            shown = ", ".join(f"`{name}`" for name in action.option_strings[:-1]) + f", {shown}"
        required = "(required)" if action.option_strings and action.required else ""
        what = " ".join(t for t in (action.help or "", required) if t)
        lines.append(f"| {cell(shown)} | {cell(_default(action))} | {cell(what)} |")
    return lines + [""]


def render() -> str:
    out = [
        "# Command-line reference",
        "",
        "Generated from the parsers by `python -m docs.gen_cli`: do not edit by hand (`make docs` rewrites it, "
        "and a test fails when it is stale). What each command does, with what it prints and examples, is in "
        "[Commands](commands.md).",
        "",
    ]
    for module, parser in parsers():
        prog = f"python -m {module}"
        out += [
            f"## `{prog}`",
            "",
            cell(parser.description or ""),
            "",
            "```text",
            usage(prog, parser) + " COMMAND ...",
            "```",
            "",
        ]
        out += table(parser)
        for name, (summary, sub) in subcommands(parser).items():
            said = [cell(t) for t in dict.fromkeys((summary, sub.description or "")) if t]  # each said once
            out += [
                f"### `{prog} {name}`",
                "",
                *[line for t in said for line in (t, "")],
                "```text",
                usage(f"{prog} {name}", sub),
                "```",
                "",
            ]
            out += table(sub)
    out += installed_command()
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def installed_command() -> list[str]:
    """`contractgraph` (what `pip install .` puts on the PATH) only routes to the command lines above: its help."""
    try:
        from contractgraph.cli import usage as contractgraph_usage
    except ImportError:  # a checkout without the package's entry point
        return []
    return [
        "## `contractgraph`",
        "",
        "The installed command: `contractgraph load …` is `python -m ingest …`, `contractgraph serve` starts the "
        "dashboard, and every other command is `python -m graph`'s, with the same options.",
        "",
        "```text",
        contractgraph_usage(),
        "```",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    text = render()
    if check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{OUT} is stale: run `python -m docs.gen_cli` and commit the result\n")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
