"""What the loaded actions cover, per agency and fiscal year: a reader must see a gap as a gap, and a year cut
short as cut short, before reading a trend into it.

A load declares what it covers (`--covers ICE:2021-2026`, a declarations file such as data/sample/coverage.csv,
or the filter of a download or search the project made itself). The store keeps those declarations in its run
log; every answer derives the agency x year grid from them and from the actions it holds (`grid`), so both
stores give the same grid and load order changes nothing. An agency-year holding actions that no declaration
covers is "partial: no coverage declared"; a year inside the span with no action at all is "not loaded".
"""

from __future__ import annotations

import csv
import fnmatch
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from core.wording import year_runs

COMPLETE, AS_LOADED, PARTIAL, TRUNCATED, NOT_LOADED = "complete", "as_loaded", "partial", "truncated", "not_loaded"
LABELS = {
    COMPLETE: "complete for its filter",
    AS_LOADED: "as loaded, completeness not established",
    PARTIAL: "partial",
    TRUNCATED: "truncated: de-obligations missing",
    NOT_LOADED: "not loaded",
}
DECLARED = (COMPLETE, AS_LOADED, PARTIAL, TRUNCATED)
RANK = {COMPLETE: 3, AS_LOADED: 2, PARTIAL: 1, TRUNCATED: 0}  # how much of the agency-year a figure holds
UNDECLARED = "no coverage declared"
COLUMNS = ("source", "agency", "fy_from", "fy_to", "status", "note")
_SPEC = re.compile(r"^\s*([^:]+?)\s*:\s*(\d{4})(?:\s*-\s*(\d{4}))?\s*(?::\s*([a-z_]+)\s*)?$")


class CoverageError(ValueError):
    """A declaration that cannot be read: the message names the file and line (or the option) and the fix."""


def declaration(
    agency: str,
    fy_from: int,
    fy_to: int,
    status: str = COMPLETE,
    note: str = "",
    source: str = "",
    where: str = "--covers",
) -> dict[str, Any]:
    if status not in DECLARED:
        raise CoverageError(f"{where}: status {status!r} is not one of {', '.join(DECLARED)}")
    if not agency.strip():
        raise CoverageError(f"{where}: no agency (give a code, an abbreviation or * for every agency)")
    if not 1900 < fy_from <= fy_to < 2200:
        raise CoverageError(f"{where}: fiscal years {fy_from}-{fy_to} are not a range of years")
    return {
        "agency": agency.strip(),
        "fy_from": fy_from,
        "fy_to": fy_to,
        "status": status,
        "note": note.strip(),
        "source": source.strip().replace("\\", "/"),
    }


def parse_spec(spec: str) -> dict[str, Any]:
    """`ICE:2021-2026`, `7012:2022:truncated`: what a load of files declares it covers (complete by default)."""
    match = _SPEC.match(spec)
    if not match:
        raise CoverageError(
            f"--covers {spec!r}: write AGENCY:FY[-FY][:STATUS], e.g. ICE:2021-2026 or CBP:2021:truncated"
        )
    agency, first, last, status = match.groups()
    return declaration(agency, int(first), int(last or first), status or COMPLETE, where=f"--covers {spec!r}")


def read_declarations(path: Path) -> list[dict[str, Any]]:
    """A declarations file (columns source, agency, fy_from, fy_to, status, note), strictly: a bad byte or line
    stops with one message naming the file and line; nothing of it is used."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise CoverageError(f"{path}: cannot read the coverage declarations ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        line = Path(path).read_bytes()[: error.start].count(b"\n") + 1
        raise CoverageError(
            f"{path}, line {line}: byte 0x{error.object[error.start]:02x} is not UTF-8; save the file as UTF-8"
        ) from None
    rows = csv.DictReader(text.splitlines())
    if tuple(rows.fieldnames or ()) != COLUMNS:
        raise CoverageError(f"{path}, line 1: the header must be {','.join(COLUMNS)}")
    found = []
    for line, row in enumerate(rows, start=2):
        where = f"{path}, line {line}"
        if None in row or any(value is None for value in row.values()):
            raise CoverageError(f"{where}: expected {len(COLUMNS)} columns ({','.join(COLUMNS)})")
        try:
            first, last = int(row["fy_from"]), int(row["fy_to"])
        except ValueError:
            raise CoverageError(f"{where}: fy_from and fy_to must be fiscal years, e.g. 2021") from None
        found.append(declaration(row["agency"], first, last, row["status"].strip(), row["note"], row["source"], where))
    return found


def _source_matches(pattern: str, source: str) -> bool:
    """A declaration's source names a file by the end of its path (`folder/file.csv`, or a glob of it)."""
    path = (source or "").replace("\\", "/")
    return not pattern or fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, "*/" + pattern.lstrip("/"))


def _status(declarations: list[dict[str, Any]], sources: list[str]) -> tuple[str, str, dict[str, Any] | None]:
    """One agency-year: complete when a declaration without a source says so (a download or search of the whole
    agency-year); else each source's most specific declaration, and the cell is the least covered of them."""
    whole = [d for d in declarations if not d["source"] and d["status"] == COMPLETE]
    if whole:
        return COMPLETE, whole[0]["note"], whole[0]
    worst = None
    for source in sources:
        named = [d for d in declarations if d["source"] and _source_matches(d["source"], source)]
        pool = named or [d for d in declarations if not d["source"]]
        chosen = min(pool, key=lambda d: (RANK[d["status"]], d["note"])) if pool else None
        status = chosen["status"] if chosen else PARTIAL
        if worst is None or RANK[status] < RANK[worst[0]]:
            worst = (status, chosen["note"] if chosen else UNDECLARED, chosen)
    return worst or (PARTIAL, UNDECLARED, None)


def grid(
    groups: list[dict[str, Any]],
    declarations: list[dict[str, Any]],
    agencies: dict[str, dict[str, Any]],
    covers: Callable[[dict[str, Any], str], bool],
) -> list[dict[str, Any]]:
    """Each agency-year holding actions, with its status. `groups`: rows (awarding_subtier, fiscal_year, source,
    facts) of the actions (not the award totals, which no year splits); `agencies`: {id: {name, code,
    abbreviation}}; `covers(declaration, agency_id)`: whether the declaration's agency is the agency or above it."""
    cells: dict[tuple[str, int], dict[str, Any]] = {}
    for row in groups:
        if not row["awarding_subtier"] or row["fiscal_year"] is None:
            continue
        cell = cells.setdefault((row["awarding_subtier"], int(row["fiscal_year"])), {"sources": set(), "actions": 0})
        cell["sources"].add(row["source"] or "")
        cell["actions"] += row["facts"]
    answer = []
    for (agency, year), cell in sorted(cells.items()):
        sources = sorted(cell["sources"])
        matching = [d for d in declarations if d["fy_from"] <= year <= d["fy_to"] and covers(d, agency)]
        status, note, _ = _status(matching, sources)
        info = agencies.get(agency, {})
        answer.append(
            {
                "agency": agency,
                "name": info.get("name") or agency,
                "code": info.get("code"),
                "abbreviation": info.get("abbreviation"),
                "fiscal_year": year,
                "status": status,
                "label": LABELS[status] + (f" ({note})" if note and status in (PARTIAL, AS_LOADED) else ""),
                "note": note,
                "actions": cell["actions"],
                "sources": [Path(s).name for s in sources],
            }
        )
    return answer


def short_name(cell: dict[str, Any]) -> str:
    name: str = cell.get("abbreviation") or cell.get("code") or cell["name"]
    return name


def years(cells: list[dict[str, Any]], span: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    """Every fiscal year of the span, in order, with its status over the agencies held: "not loaded" where no
    action is held; else the least covered of its agencies' statuses leaving truncation aside (it is named apart,
    by agency, in `truncated`), or truncated when every agency of the year is."""
    if span is None:
        held = [c["fiscal_year"] for c in cells]
        if not held:
            return []
        span = (min(held), max(held))
    by_year: dict[int, list[dict[str, Any]]] = {}
    for cell in cells:
        by_year.setdefault(cell["fiscal_year"], []).append(cell)
    answer = []
    for year in range(span[0], span[1] + 1):
        held = by_year.get(year, [])
        whole = [c for c in held if c["status"] != TRUNCATED]
        if not held:
            status, note = NOT_LOADED, ""
        elif whole:
            least = min(whole, key=lambda c: (RANK[c["status"]], c["note"]))
            status, note = least["status"], least["note"] if least["status"] in (PARTIAL, AS_LOADED) else ""
        else:
            status, note = TRUNCATED, ""
        answer.append(
            {
                "fiscal_year": year,
                "status": status,
                "note": note,
                "label": LABELS[status] + (f" ({note})" if note and status in (PARTIAL, AS_LOADED) else ""),
                "truncated": sorted(short_name(c) for c in held if c["status"] == TRUNCATED),
                "agencies": sorted(short_name(c) for c in held),
            }
        )
    return answer


def truncations(cells: list[dict[str, Any]]) -> str:
    """ "ICE FY2022–23 and CBP FY2021 truncated: de-obligations missing", or ""."""
    runs: dict[str, list[int]] = {}
    for cell in cells:
        if cell["status"] == TRUNCATED:
            runs.setdefault(short_name(cell), []).append(cell["fiscal_year"])
    if not runs:
        return ""
    named = [f"{agency} {year_runs(years_)}" for agency, years_ in sorted(runs.items())]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"{listed} truncated: de-obligations missing"


def line(cells: list[dict[str, Any]], span: tuple[int, int] | None = None) -> str:
    """The span in runs of years of one status: "FY2013–18 (partial: Torn Apart subset), FY2019–20 not loaded,
    FY2021–26 (as loaded; ICE FY2022–23 truncated: de-obligations missing)"."""
    rows = years(cells, span)
    if not rows:
        return "no action loaded"
    runs: list[list[Any]] = []
    for row in rows:
        if (
            runs
            and (runs[-1][0], runs[-1][1]) == (row["status"], row["note"])
            and row["fiscal_year"] == runs[-1][3] + 1
        ):
            runs[-1][3] = row["fiscal_year"]
        else:
            runs.append([row["status"], row["note"], row["fiscal_year"], row["fiscal_year"]])
    parts = []
    for status, note, first, last in runs:
        span_text = year_runs(range(first, last + 1))
        inside = [c for c in cells if first <= c["fiscal_year"] <= last]
        cut = truncations(inside) if status != TRUNCATED else ""
        if status == NOT_LOADED:
            parts.append(f"{span_text} not loaded")
        elif status == COMPLETE:
            parts.append(f"{span_text} (complete" + (f"; {cut})" if cut else ")"))
        elif status == AS_LOADED:
            parts.append(f"{span_text} (as loaded" + (f"; {cut})" if cut else ")"))
        elif status == PARTIAL:
            parts.append(f"{span_text} (partial" + (f": {note}" if note else "") + (f"; {cut})" if cut else ")"))
        elif len({short_name(c) for c in cells}) == 1:
            parts.append(f"{span_text} ({LABELS[TRUNCATED]})")
        else:
            parts.append(f"{span_text} ({truncations(inside)})")
    return ", ".join(parts)


def notes(cells: list[dict[str, Any]], fiscal_years: Iterable[int] | None = None) -> list[str]:
    """What a figure over these agency-years leaves out, in words: one line per kind, empty when nothing."""
    chosen = [c for c in cells if fiscal_years is None or c["fiscal_year"] in set(fiscal_years)]
    found = []
    cut = truncations(chosen)
    if cut:
        found.append(
            f"{cut} (the source's rows stop before its negative actions, so these totals include no de-obligation)"
        )
    partial = sorted({c["note"] or UNDECLARED for c in chosen if c["status"] == PARTIAL})
    if partial:
        years_ = year_runs(c["fiscal_year"] for c in chosen if c["status"] == PARTIAL)
        found.append(f"{years_}: partial ({'; '.join(partial)}), not every action of those years")
    return found


def _fiscal(day: str) -> int:
    year, month = int(day[:4]), int(day[5:7])
    return year + 1 if month >= 10 else year


def implied(run: dict[str, Any]) -> list[dict[str, Any]]:
    """What a download or search the project made itself covers: its own filter, whole. A bulk download of an
    awarding agency's contracts covers its fiscal years; an award search of an agency's contracts (A-D) with no
    recipient filter covers the fiscal years wholly inside its dates."""
    request, command = run.get("request") or {}, run.get("command")
    agency = request.get("awarding_agency")
    if not agency:
        return []
    if (
        command == "usaspending-download"
        and request.get("award_types", "contracts") == "contracts"
        and request.get("fy")
    ):
        spans = [
            tuple(int(y) for y in part.split("-"))
            for part in str(request["fy"]).replace(" ", "").split(",")
            if re.fullmatch(r"\d{4}(-\d{4})?", part)
        ]
        return [
            declaration(agency, span[0], span[-1], COMPLETE, "a bulk download this project made", "", "run log")
            for span in spans
            if span[0] <= span[-1]
        ]
    if (
        command == "usaspending-api"
        and not request.get("recipient")
        and set("ABCD") <= set(str(request.get("award_types") or "").split(","))
    ):
        start, end = request.get("start") or "2007-10-01", request.get("end") or run.get("loaded_at", "")[:10]
        first = _fiscal(start) + (0 if start[5:] == "10-01" else 1)
        last = _fiscal(end) - (0 if end[5:] == "09-30" else 1)
        if first <= last:
            return [declaration(agency, first, last, COMPLETE, "an award search this project made", "", "run log")]
    return []


def declarations(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every declaration of the run log, each once, in a fixed order (the grid is the same in any load order)."""
    found = {tuple(sorted(d.items())): d for run in runs for d in [*(run.get("covers") or []), *implied(run)]}
    return [found[key] for key in sorted(found)]


def summary(
    cells: list[dict[str, Any]], declared: list[dict[str, Any]], span: tuple[int, int] | None = None
) -> dict[str, Any]:
    """The grid with its years, its one line and what a figure over all of it leaves out."""
    if span is None and cells:
        span = (min(c["fiscal_year"] for c in cells), max(c["fiscal_year"] for c in cells))
    return {
        "span": list(span) if span else None,
        "cells": cells,
        "years": years(cells, span),
        "line": line(cells, span),
        "notes": notes(cells),
        "declarations": declared,
    }


def scope(whole: dict[str, Any], agencies: set[str], fiscal_years: Iterable[int] | None = None) -> dict[str, Any]:
    """The part of the grid at or below these agency ids (a profile's agencies, or an office's sub-agency), over
    the whole store's span, so a year the store lacks stays a visible gap; `notes` only for `fiscal_years` (the
    years the figure has money in) when given."""
    cells = [c for c in whole["cells"] if set(c.get("above") or [c["agency"]]) & agencies]
    span = tuple(whole["span"]) if whole.get("span") else None
    return {
        **summary(cells, whole.get("declarations", []), span),
        "notes": notes(cells, fiscal_years),
        "within": sorted(agencies),
    }


def chart_years(yearly: list[dict[str, Any]], coverage_years: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A yearly series over the whole span, gaps included: one row per fiscal year of `coverage_years` (and of
    `yearly`, should it reach outside), with the figure's `obligated` (None where it has no action that year),
    the year's coverage `status` and a `mark` to print under the bar: "not loaded", "partial", "truncated" or ""."""
    money = {y["fiscal_year"]: y for y in yearly}
    status = {y["fiscal_year"]: y for y in coverage_years}
    every = sorted(set(money) | set(status))
    rows = []
    for year in range(every[0], every[-1] + 1) if every else []:
        cover = status.get(year) or {
            "status": NOT_LOADED if year not in money else PARTIAL,
            "label": "",
            "truncated": [],
        }
        mark = {NOT_LOADED: "not loaded", PARTIAL: "partial", TRUNCATED: "truncated"}.get(cover["status"], "")
        if cover.get("truncated") and cover["status"] != TRUNCATED:
            mark = f"{', '.join(cover['truncated'])} truncated"
        held = money.get(year)
        rows.append(
            {
                "fiscal_year": year,
                "obligated": held["obligated"] if held else None,
                "awards": held.get("awards") if held else None,
                "status": cover["status"],
                "label": cover.get("label") or LABELS.get(cover["status"], ""),
                "mark": mark,
            }
        )
    return rows
