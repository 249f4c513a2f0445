"""`contractgraph`: the installed command. It only routes: `load` is `python -m ingest`, `serve` is
`python -m dashboard.serve`, and every other subcommand is `python -m graph`'s, so the `python -m` forms and
this command can never disagree. Each module still starts through `graph.entry` (Ctrl-C is one line)."""

from __future__ import annotations

import argparse
import sys

from graph.entry import entry

# subcommand -> (module whose main() runs, what it does)
ROUTES = {
    "load": (
        "ingest.cli",
        "load files or USAspending answers into the store (= python -m ingest; "
        "`contractgraph load --help` lists the sources)",
    ),
    "serve": ("dashboard.serve", "start the dashboard (= python -m dashboard.serve; Streamlit's options follow)"),
}


def graph_commands() -> list[tuple[str, str]]:
    """The questions `python -m graph` answers, read from its own parser, with their one-line help."""
    from graph.cli import build_parser

    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return [(choice.dest, choice.help or "") for choice in action._choices_actions]
    return []


def usage() -> str:
    rows = [(name, text) for name, (_, text) in ROUTES.items()] + graph_commands()
    width = max(len(name) for name, _ in rows)
    lines = [f"  {name.ljust(width)}  {text}" for name, text in rows]
    return "\n".join(
        [
            "usage: contractgraph [--store {embedded,neo4j}] COMMAND [options]",
            "",
            "Who sells surveillance and data technology to ICE, CBP, DHS and local police: load the records, ask",
            "the graph, open the dashboard. The store is the embedded one under KG_HOME unless --store or KG_STORE",
            "says otherwise. `contractgraph COMMAND --help` explains one command.",
            "",
            "commands:",
            *lines,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(usage())
        return 0 if args else 2
    if args[0] in ROUTES:
        module, _ = ROUTES[args[0]]
        sys.argv = [f"contractgraph {args[0]}", *args[1:]]
    else:
        module = "graph.cli"
        sys.argv = ["contractgraph", *args]
    entry(module)  # exits with the command's own code
    return 0
