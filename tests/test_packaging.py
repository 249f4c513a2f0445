"""The installed application: the `contractgraph` command that `make setup` (pip install -e .) puts beside the
interpreter, run as a user runs it, on a file of the bundled sample; and the lock files made from pyproject.toml.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from graph.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
COMMAND = Path(sys.executable).parent / "contractgraph"
SAMPLE = ROOT / "data" / "sample" / "ice_bulk_downloads_2025.csv.gz"  # 1,859 real USAspending rows


def run(*args: str, home: Path, command: tuple[str, ...] = (str(COMMAND),)) -> subprocess.CompletedProcess:
    if not COMMAND.exists():
        pytest.fail(f"{COMMAND} is missing: the project is not installed (run `make setup`)")
    return subprocess.run(
        [*command, *args],
        cwd=ROOT,
        env={**os.environ, "KG_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def graph_subcommands() -> list[str]:
    subparsers = build_parser()._subparsers
    assert subparsers is not None
    return list(subparsers._group_actions[0].choices)


def test_help_lists_every_subcommand(tmp_path):
    done = run("--help", home=tmp_path)
    assert done.returncode == 0, done.stderr
    listed = re.findall(r"^  (\S+)  ", done.stdout, re.MULTILINE)
    assert listed == ["load", "serve", *graph_subcommands()]
    assert {"stats", "vendor", "agency", "export"} <= set(listed)
    # the module form prints the same page; no arguments at all is a usage error with the same page
    module = run("--help", home=tmp_path, command=(sys.executable, "-m", "contractgraph"))
    assert module.stdout == done.stdout
    bare = run(home=tmp_path)
    assert bare.returncode == 2 and bare.stdout == done.stdout


def test_load_and_stats_through_the_command(tmp_path):
    """`contractgraph load` is `python -m ingest`, `contractgraph stats` is `python -m graph stats`: the same
    store answers both the same."""
    home = tmp_path / "kg"
    loaded = run("load", "normalized", str(SAMPLE), "--json", "--no-progress", home=home)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    summary = json.loads(loaded.stdout)
    assert summary["rows_read"] == summary["rows_loaded"] == 1859 and summary["rows_rejected"] == 0
    stats = run("stats", "--json", home=home)
    assert stats.returncode == 0, stats.stderr[-2000:]
    answer = json.loads(stats.stdout)
    assert answer["nodes"]["Award"] == summary["awards"] == 1530
    assert answer["nodes"]["Vendor"] >= summary["vendors"]  # parents named by the records are vendors too
    same = run("-m", "graph", "stats", "--json", home=home, command=(sys.executable,))
    assert json.loads(same.stdout) == answer
    unknown = run("no-such-command", home=home)
    assert unknown.returncode == 2 and "no-such-command" in unknown.stderr


def test_serve_and_load_route_to_their_modules(tmp_path):
    helped = run("load", "--help", home=tmp_path)
    assert helped.returncode == 0 and "usaspending-csv" in helped.stdout and "normalized" in helped.stdout
    served = run("serve", "--help", home=tmp_path)  # dashboard.serve hands its options to `streamlit run`
    assert served.returncode == 0 and "streamlit run" in served.stdout


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", " ", "-")):
            requirement = Requirement(line)
            (version,) = [spec.version for spec in requirement.specifier if spec.operator == "=="]
            assert canonicalize_name(requirement.name) not in found, f"{requirement.name} pinned twice in {name}"
            found[canonicalize_name(requirement.name)] = version
    return found


def test_lock_files_pin_every_dependency_once_and_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, everything = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {name: everything.get(name) for name in runtime} == runtime  # the dev lock holds the same versions
    extras = project["optional-dependencies"]
    for declared, lock in (
        (project["dependencies"] + extras["neo4j"] + extras["dashboard"], runtime),
        ([d for group in extras.values() for d in group], everything),
    ):
        for dependency in declared:
            requirement = Requirement(dependency)
            name = canonicalize_name(requirement.name)
            assert name in lock, f"{name} is declared in pyproject.toml but not locked: run `make lock`"
            assert lock[name] in requirement.specifier, (name, lock[name], str(requirement.specifier))
    # what only the tests, lint and docs need stays out of what runs
    assert not {"pytest", "ruff", "mypy", "playwright", "mkdocs"} & set(runtime)


def test_no_sys_path_hacks():
    """The project is installed (editable) instead: no module edits the import path to find its neighbours."""
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("core", "ingest", "graph", "dashboard", "bench", "contractgraph", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if "sys.path." + "insert" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
