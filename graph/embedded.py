"""The embedded store: a networkx MultiDiGraph persisted in one file under KG_HOME.

Zero setup, the default. A load works on the in-memory graph and `commit` writes the whole graph
to a temporary file and renames it over the old one, so a failed or interrupted load leaves the
store exactly as it was. Node ids are "<Label>:<key>"; edges are keyed by relationship type (plus
the subaward key for SUBAWARD, which may join the same award and vendor several times).
"""
from __future__ import annotations

import json
import logging
import os
import pickle
from collections import Counter
from pathlib import Path

import networkx as nx

from .nx_queries import NxQueries
from .batch import Batch, merge_props
from core.schema import LABELS, REL_TYPES, derive_award
from .store import StoreUnavailable

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


def node_id(label: str, key: str) -> str:
    return f"{label}:{key}"


class EmbeddedStore(NxQueries):
    kind = "embedded"

    def __init__(self, home: Path):
        self.home = Path(home)
        self.path = self.home / "graph.pickle"
        self.runs_path = self.home / "runs.jsonl"
        self.graph = self._read()

    # -- persistence -------------------------------------------------------------------------
    def _read(self) -> nx.MultiDiGraph:
        if not self.path.exists():
            return nx.MultiDiGraph()
        try:
            with self.path.open("rb") as handle:
                saved = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError) as error:
            raise StoreUnavailable(f"cannot read the embedded store {self.path}: {error}; "
                                   f"delete it (or run `python -m graph clear --yes`) and load again") from None
        if saved.get("version") != FORMAT_VERSION:
            raise StoreUnavailable(f"{self.path} was written by another version of this project; "
                                   f"run `python -m graph clear --yes` and load again")
        return saved["graph"]

    def commit(self, run: dict | None = None) -> None:
        """Write the graph atomically, then append the run to the run log."""
        self.home.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            pickle.dump({"version": FORMAT_VERSION, "graph": self.graph}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.path)
        if run is not None:
            with self.runs_path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(run, sort_keys=True) + "\n")

    def to_networkx(self) -> nx.MultiDiGraph:
        return self.graph

    def close(self) -> None:
        """Nothing to release: the graph lives in this process."""

    def rollback(self) -> None:
        """Drop uncommitted changes: back to the graph as last committed."""
        self.graph = self._read()

    def clear(self) -> None:
        self.graph = nx.MultiDiGraph()
        for path in (self.path, self.runs_path):
            if path.exists():
                path.unlink()

    def runs(self) -> list[dict]:
        if not self.runs_path.exists():
            return []
        with self.runs_path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    # -- writes ------------------------------------------------------------------------------
    def vendor_index(self):
        """Known vendors by id: in id order, as every store gives them, so that a name two vendors share
        resolves the same way whichever store is loaded."""
        vendors = sorted((data["key"], data) for _, data in self.graph.nodes(data=True) if data["label"] == "Vendor")
        for key, data in vendors:
            yield key, data.get("uei"), data.get("duns"), [data.get("name"), *data.get("aliases", [])]

    def upsert(self, batch: Batch) -> None:
        graph = self.graph
        nodes = graph._node  # direct dict access: this loop runs for every row of every load
        for label, rows in batch.nodes.items():
            policies = LABELS[label].properties
            for key, props in rows.items():
                nid = node_id(label, key)
                stored = nodes.get(nid)
                if stored is None:
                    graph.add_node(nid, label=label, key=key, **props)
                else:
                    merge_props(policies, stored, props)
        for rel, rows in batch.edges.items():
            spec = REL_TYPES[rel]
            for (start, end, key), props in rows.items():
                u, v = node_id(spec.start, start), node_id(spec.end, end)
                edge_key = f"{rel}|{key}" if spec.keyed else rel
                for nid, label, node_key in ((u, spec.start, start), (v, spec.end, end)):
                    if nid not in nodes:
                        graph.add_node(nid, label=label, key=node_key)
                existing = graph.get_edge_data(u, v, edge_key)
                if existing is not None:
                    merge_props(spec.properties, existing, props)
                    continue
                if spec.single:
                    rival = next((t for _, t, k in graph.out_edges(u, keys=True) if k == rel), None)
                    if rival is not None:
                        if graph.edges[u, rival, rel].get("rank", 0) >= props.get("rank", 0):
                            continue
                        graph.remove_edge(u, rival, rel)
                graph.add_edge(u, v, key=edge_key, type=rel, **props)

    def derive_awards(self, keys) -> None:
        graph = self.graph
        for key in keys:
            nid = node_id("Award", key)
            props = graph.nodes[nid]
            transactions, links = [], {"AWARDED_TO": None, "AWARDED_BY": None, "FUNDED_BY": None}
            for _, target, edge_key in graph.out_edges(nid, keys=True):
                if edge_key == "HAS_TRANSACTION":
                    transactions.append(graph.nodes[target])
                elif edge_key in links:
                    links[edge_key] = graph.nodes[target]["key"]
            derived = {**derive_award(props, transactions), "recipient": links["AWARDED_TO"],
                       "awarded_by": links["AWARDED_BY"], "funded_by": links["FUNDED_BY"]}
            for name, value in derived.items():  # a missing figure is absent, as Neo4j (no nulls) has it
                if value is None:
                    props.pop(name, None)
                else:
                    props[name] = value

    # -- reads: primitives the shared query code in `queries` is written against ------------
    def stats(self) -> dict:
        nodes = Counter(data["label"] for _, data in self.graph.nodes(data=True))
        rels = Counter(data["type"] for _, _, data in self.graph.edges(data=True))
        return {"nodes": dict(sorted(nodes.items())), "relationships": dict(sorted(rels.items()))}
