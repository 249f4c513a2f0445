"""Exports of a whole store in the formats Neo4j and network-analysis users open.

- graphml / gexf: one file (Gephi, Cytoscape, yEd, networkx). Lists become JSON text; each node
  keeps its `kind` (label) and `key`, and shows its name as `label`.
- csv: a directory in `neo4j-admin database import` layout, one nodes file per label and one
  relationships file per type, typed headers (`:ID`, `:LABEL`, `:START_ID`, `obligated:double`, ...).
  Values are raw, as neo4j-admin reads them: a name beginning with `=` stays so (not for spreadsheets; the
  dashboard's CSV and XLSX downloads are the ones made safe to open in one).
- ftm: FollowTheMoney entities as JSON lines, for Aleph and OpenAleph (the mapping: graph/reports/ftm.py).
- cypher: a script of MERGE statements, one per line, constraints first: `cypher-shell < OUT` (or
  any driver) rebuilds the graph. Values are written as escaped Cypher literals.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import networkx as nx

from core.schema import LABELS, LOCAL_LABEL, REL_TYPES
from graph.questions.answers import cited
from graph.stores.neo4j import cypher as statements

FORMATS = ("graphml", "gexf", "csv", "cypher", "ftm")
RAW_CSV = (
    "raw values for `neo4j-admin database import`, not made safe for spreadsheets (a cell beginning with = "
    "may run as a formula there): use the dashboard's CSV or XLSX downloads to open in a spreadsheet"
)
ROWS_PER_STATEMENT = 500
AWARD_LINKS = (
    ("AWARDED_TO", "recipient", "Vendor"),
    ("AWARDED_BY", "awarding_id", "Agency"),
    ("FUNDED_BY", "funding_id", "Agency"),
    ("UNDER_VEHICLE", "vehicle", "Vehicle"),
)


def build_graph(tables: dict[str, list[dict]]) -> nx.MultiDiGraph:
    """The model's graph from its tables' rows (`graph.stores.duckdb.reads.TABLES`), whichever store read them.

    Nodes are "<Label>:<key>" with `label`, `key` and the row's non-null values; keyed relationships
    (several between the same two nodes) are told apart by `<TYPE>|<key>`."""
    graph = nx.MultiDiGraph()

    def node(label, key, row=None):
        row = cited(row) if row is not None else None  # one permalink rule (graph.questions.answers.cited)
        nid = f"{label}:{key}"
        if row is not None or nid not in graph:
            graph.add_node(
                nid,
                label=label,
                key=key,
                **{k: v for k, v in (row or {}).items() if v is not None and k not in ("label", "key")},
            )
        return nid

    def edge(rel, start, end, key=None, row=None):
        row = cited(row) if row is not None else None
        graph.add_edge(
            start,
            end,
            key=f"{rel}|{key}" if key is not None else rel,
            type=rel,
            **{k: v for k, v in (row or {}).items() if v is not None and k not in ("key", "type")},
        )

    for row in tables["vendor"]:
        node("Vendor", row["id"], row)
    for row in tables["agency"]:
        node("Agency", row["id"], row)
    for row in tables["agency_link"]:
        edge("PART_OF", node("Agency", row["child"]), node("Agency", row["parent"]))
    for row in tables["vendor_parent"]:
        edge("PARENT", node("Vendor", row["child"]), node("Vendor", row["parent"]), row["basis"], row)
    for row in tables["award"]:
        award = node("Award", row["key"], row)
        for rel, column, label in AWARD_LINKS:
            if row.get(column):
                edge(
                    rel,
                    award,
                    node(label, row[column]),
                    row={"match": row.get("match")} if rel == "AWARDED_TO" else None,
                )
    for row in tables["fact"]:
        edge("HAS_FACT", node("Award", row["award_key"]), node("Fact", row["key"], row))
    for row in tables["subaward"]:
        edge("SUBAWARD", node("Award", row["award_key"]), node("Vendor", row["vendor"]), row["key"], row)
    for row in tables.get("mention", ()):
        edge("MENTIONS_PRODUCT", node("Fact", row["fact_key"]), node("Vendor", row["maker"]), row=row)
    for row in tables.get("vehicle", ()):  # a contract vehicle's record: its ceiling is no money, so no link
        node("Vehicle", row["key"], row)
    # the local layer (graph/stores/duckdb/local.py): its agencies (and the federal bodies they name) carry `local`, which
    # the Cypher script and the neo4j-admin files turn into the label Local the Neo4j store gives them
    for row in tables.get("local_agency", ()):
        node("Agency", row["id"], {**row, "local": True})
    for row in tables.get("local_link", ()):
        edge("PART_OF", node("Agency", row["child"]), node("Agency", row["parent"]))
    for table, rel, start, end in (
        ("deployment", "USES", "agency", "vendor"),
        ("local_contract", "CONTRACTS_WITH", "agency", "vendor"),
        ("sharing", "SHARES_DATA_WITH", "owner", "searcher"),
    ):
        label = REL_TYPES[rel].end
        for row in tables.get(table, ()):
            edge(rel, node("Agency", row[start]), node(label, row[end]), row["key"], row)
    return graph


# What XML 1.0 cannot hold at all; ingest drops control characters, this keeps a store loaded before that readable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _flat(value):
    value = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def for_files(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph with scalar attributes and edge ids unique across the file (GEXF needs both)."""
    flat = nx.MultiDiGraph()
    for nid, data in graph.nodes(data=True):
        # `kind` and `label` name the node's label and title in these files: a property of that name is kept as `<name>_`
        attrs = {
            (f"{name}_" if name == "kind" else name): _flat(value)
            for name, value in data.items()
            if value is not None and name != "label"
        }
        flat.add_node(
            nid, kind=data["label"], label=_flat(data.get(LABELS[data["label"]].title) or data["key"]), **attrs
        )
    for u, v, key, data in graph.edges(keys=True, data=True):
        attrs = {name: _flat(value) for name, value in data.items() if value is not None}
        flat.add_edge(u, v, key=f"{u}|{key}|{v}", **attrs)
    return flat


# -- Cypher literals -------------------------------------------------------------------------
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def literal(value) -> str:
    """A Cypher literal for a stored value (strings escaped, so no value can end the literal)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} has no Cypher literal")
        return repr(value)
    if isinstance(value, str):
        return "'" + "".join(_ESCAPES.get(ch, f"\\u{ord(ch):04x}" if ord(ch) < 32 else ch) for ch in value) + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"`{str(name).replace('`', '``')}`: {literal(item)}" for name, item in value.items()) + "}"
        )
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _props(data: dict, skip=("label", "key", "type")) -> dict:
    return {name: value for name, value in data.items() if name not in skip and value is not None}


def cypher_script(graph: nx.MultiDiGraph):
    """Lines of a Cypher script rebuilding `graph` (each line one statement ending in `;`)."""
    yield from (f"{statement};" for statement in statements.CONSTRAINTS)
    by_label: dict[str, list] = {}
    for _, data in sorted(graph.nodes(data=True), key=lambda item: item[0]):
        by_label.setdefault(data["label"], []).append({"key": data["key"], "props": _props(data)})
    for label, rows in by_label.items():
        spec = LABELS[label]
        for local in (False, True):
            chosen = [
                {"key": row["key"], "props": {k: v for k, v in row["props"].items() if k != "local"}}
                for row in rows
                if bool(row["props"].get("local")) == local
            ]
            also = f", n:{LOCAL_LABEL}" if local else ""
            for start in range(0, len(chosen), ROWS_PER_STATEMENT):
                yield (
                    f"UNWIND {literal(chosen[start : start + ROWS_PER_STATEMENT])} AS row "
                    f"MERGE (n:{label} {{{spec.key}: row.key}}) SET n += row.props{also};"
                )
    by_type: dict[str, list] = {}
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda item: item[:3]):
        rel = data["type"]
        row = {"start": graph.nodes[u]["key"], "end": graph.nodes[v]["key"], "props": _props(data)}
        if REL_TYPES[rel].keyed:
            row["key"] = key.split("|", 1)[1]
        by_type.setdefault(rel, []).append(row)
    for rel, rows in by_type.items():
        spec = REL_TYPES[rel]
        start_label, end_label = LABELS[spec.start], LABELS[spec.end]
        pattern = f"(a)-[r:{rel} {{key: row.key}}]->(b)" if spec.keyed else f"(a)-[r:{rel}]->(b)"
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            yield (
                f"UNWIND {literal(rows[start : start + ROWS_PER_STATEMENT])} AS row "
                f"MERGE (a:{spec.start} {{{start_label.key}: row.start}}) "
                f"MERGE (b:{spec.end} {{{end_label.key}: row.end}}) "
                f"MERGE {pattern} SET r += row.props;"
            )


# -- neo4j-admin import CSV --------------------------------------------------------------------
def _csv_type(values) -> str:
    kinds = {type(value) for value in values if value is not None}
    if kinds <= {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    if kinds <= {bool}:
        return "boolean"
    if kinds <= {list}:
        return "string[]"
    return "string"


def _csv_value(value, kind: str):
    if value is None:
        return ""
    if kind == "string[]":
        return ";".join(str(item) for item in value)
    return str(value).lower() if isinstance(value, bool) else value


def write_csv(graph: nx.MultiDiGraph, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for label, spec in LABELS.items():
        nodes = [(nid, data) for nid, data in sorted(graph.nodes(data=True)) if data["label"] == label]
        if not nodes:
            continue
        names = sorted({name for _, data in nodes for name in _props(data)} - {"local"})
        kinds = {name: _csv_type(data.get(name) for _, data in nodes) for name in names}
        path = out / f"nodes_{label}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([f"{spec.key}:ID({label})", ":LABEL", *(f"{name}:{kinds[name]}" for name in names)])
            for _, data in nodes:
                labels = f"{label};{LOCAL_LABEL}" if data.get("local") else label
                writer.writerow([data["key"], labels, *(_csv_value(data.get(name), kinds[name]) for name in names)])
        written.append(path)
    for rel, spec in REL_TYPES.items():
        edges = [
            (u, v, key, data)
            for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3])
            if data["type"] == rel
        ]
        if not edges:
            continue
        names = sorted({name for *_, data in edges for name in _props(data)})
        kinds = {name: _csv_type(data.get(name) for *_, data in edges) for name in names}
        path = out / f"relationships_{rel}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    f":START_ID({spec.start})",
                    f":END_ID({spec.end})",
                    ":TYPE",
                    *(["key"] if spec.keyed else []),
                    *(f"{name}:{kinds[name]}" for name in names),
                ]
            )
            for u, v, key, data in edges:
                writer.writerow(
                    [
                        graph.nodes[u]["key"],
                        graph.nodes[v]["key"],
                        rel,
                        *([key.split("|", 1)[1]] if spec.keyed else []),
                        *(_csv_value(data.get(name), kinds[name]) for name in names),
                    ]
                )
        written.append(path)
    return written


def export(graph: nx.MultiDiGraph, fmt: str, out: Path) -> dict:
    """Write the graph to `out` in `fmt`; returns what was written."""
    out = Path(out)
    if fmt in ("graphml", "gexf"):
        out.parent.mkdir(parents=True, exist_ok=True)
        flat = for_files(graph)
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(flat, out)
        files = [out]
    elif fmt == "csv":
        files = write_csv(graph, out)
    elif fmt == "cypher":
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as handle:
            for line in cypher_script(graph):
                handle.write(line + "\n")
        files = [out]
    elif fmt == "ftm":  # FollowTheMoney JSON lines (graph/reports/ftm.py)
        from graph.reports.ftm import write_ftm

        return {
            "format": fmt,
            "files": [str(out)],
            "nodes": graph.number_of_nodes(),
            "relationships": graph.number_of_edges(),
            "entities": write_ftm(graph, out),
        }
    else:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return {
        "format": fmt,
        "files": [str(path) for path in files],
        "nodes": graph.number_of_nodes(),
        "relationships": graph.number_of_edges(),
        **({"note": RAW_CSV} if fmt == "csv" else {}),
    }


def in_sector(graph: nx.MultiDiGraph, categories: tuple[str, ...]) -> nx.MultiDiGraph:
    """The graph with only the facts of those categories: an award none of whose facts is left goes with them, and
    so does a vendor left with no relationship; agencies, vehicles and the local layer stay (they carry no money)."""
    kept = graph.copy()
    kept.remove_nodes_from(
        [
            n
            for n, d in graph.nodes(data=True)
            if d["label"] == "Fact" and d.get("category", "unclassified") not in categories
        ]
    )
    kept.remove_nodes_from(
        [
            n
            for n, d in kept.nodes(data=True)
            if d["label"] == "Award" and not any(kept.nodes[v]["label"] == "Fact" for v in kept.successors(n))
        ]
    )
    kept.remove_nodes_from([n for n, d in kept.nodes(data=True) if d["label"] == "Vendor" and kept.degree(n) == 0])
    return kept


def export_sector(store, fmt: str, out: Path, categories: tuple[str, ...] | None) -> dict:
    """`export` of the whole store, or (with category ids) of the facts of those sectors, saying which."""
    from graph.questions.sectors import scope

    graph = store.to_networkx()
    return {**export(in_sector(graph, categories) if categories else graph, fmt, out), "sector": scope(categories)}
