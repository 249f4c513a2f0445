"""Exports of the current view: awards as CSV, the subgraph as GraphML/GEXF, citations as Markdown.

Every award line carries what a reader needs to check it: the amount with its basis, the dates, the
USAspending permalink and the source file and line it was loaded from.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx

AWARD_COLUMNS = ("vendor", "vendor_id", "awarding_agency", "piid", "key", "award_type", "description", "obligated",
                 "obligated_basis", "current_value", "potential_value", "first_action", "last_action", "end_date",
                 "potential_end_date", "fy_first", "fy_last", "permalink", "source", "record", "retrieved")


def flat(award: dict) -> dict:
    vendor, agency = award.get("vendor") or {}, award.get("awarding_agency") or {}
    return {**{c: award.get(c) for c in AWARD_COLUMNS}, "vendor": vendor.get("name"), "vendor_id": vendor.get("id"),
            "awarding_agency": agency.get("name")}


def awards_csv(awards: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=AWARD_COLUMNS)
    writer.writeheader()
    for award in awards:
        writer.writerow(flat(award))
    return out.getvalue().encode("utf-8")


def _money(value) -> str:
    return "not reported" if value is None else f"${value:,.2f}"


def where_from(award: dict) -> str:
    source = award.get("source") or "unknown source"
    name = source if "://" in source else Path(source).name
    return f"{name}, {award.get('record') or 'record not stated'}"


def citation(award: dict) -> str:
    """One line a reporter can paste: who, from whom, which award, how much on what basis, when, where to check."""
    vendor = (award.get("vendor") or {}).get("name") or "unknown vendor"
    agency = (award.get("awarding_agency") or {}).get("name") or "unknown agency"
    dates = f"{award.get('first_action') or '?'} to {award.get('end_date') or award.get('last_action') or '?'}"
    return (f"{vendor} — {agency}, award {award.get('piid') or award.get('key')}: "
            f"{_money(award.get('obligated'))} obligated ({award.get('obligated_basis') or 'basis not stated'}); "
            f"current value {_money(award.get('current_value'))}, potential value {_money(award.get('potential_value'))}; "
            f"{dates}. USAspending: {award.get('permalink') or 'no permalink'} "
            f"(source: {where_from(award)}, retrieved {award.get('retrieved') or '?'})")


def citations_md(title: str, awards: list[dict]) -> bytes:
    lines = [f"# {title}", ""] + [f"- {citation(award)}" for award in awards]
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_networkx(graph: dict) -> nx.MultiDiGraph:
    """The subgraph answer as a networkx graph; attributes without a value are left out (GraphML has no null)."""
    out = nx.MultiDiGraph()
    for node in graph["nodes"]:
        out.add_node(node["id"], **{k: v for k, v in node.items() if k != "id" and v is not None})
    for edge in graph["edges"]:
        out.add_edge(edge["source"], edge["target"],
                     **{k: v for k, v in edge.items() if k not in ("source", "target") and v is not None})
    return out


def graphml(graph: dict) -> bytes:
    return "\n".join(nx.generate_graphml(to_networkx(graph))).encode("utf-8")


def gexf(graph: dict) -> bytes:
    return "\n".join(nx.generate_gexf(to_networkx(graph))).encode("utf-8")
