"""A batch of node and edge upserts, merged by the schema's policies before it reaches a store.

Both stores take the same Batch, so the mapping from records to graph rows is written once
(`ingest.load`) and a store only has to apply rows: MERGE on key, then merge properties.
"""
from __future__ import annotations

from collections import defaultdict

from .schema import LABELS, REL_TYPES


def merge_props(policies: dict[str, str], stored: dict, incoming: dict) -> dict:
    """Apply incoming properties onto stored ones (in place) by each property's merge policy."""
    for name, value in incoming.items():
        if value is None:
            continue
        policy = policies.get(name, "first")
        if policy == "first":
            if stored.get(name) is None:
                stored[name] = value
        elif policy == "last":
            stored[name] = value
        elif policy == "union":
            current = stored.get(name) or []
            additions = [item for item in value if item not in current]
            if additions or name not in stored:
                stored[name] = current + additions
        else:  # latest:<date property>
            clock = policy.split(":", 1)[1]
            incoming_date, stored_date = incoming.get(clock), stored.get(clock)
            if stored.get(name) is None or (incoming_date and (stored_date is None or incoming_date >= stored_date)):
                stored[name] = value
    return stored


class Batch:
    def __init__(self):
        self.nodes: dict[str, dict[str, dict]] = defaultdict(dict)
        self.edges: dict[str, dict[tuple, dict]] = defaultdict(dict)
        self.awards_touched: set[str] = set()

    def node(self, label: str, key: str, props: dict) -> None:
        spec = LABELS[label]
        stored = self.nodes[label].get(key)
        if stored is None:
            self.nodes[label][key] = {name: value for name, value in props.items() if value is not None}
        else:
            merge_props(spec.properties, stored, props)

    def edge(self, rel: str, start: str, end: str, props: dict | None = None, key: str = "") -> None:
        """`key` tells apart several edges of a keyed type between the same two nodes."""
        spec = REL_TYPES[rel]
        edge_key = (start, end, key if spec.keyed else "")
        stored = self.edges[rel].get(edge_key)
        props = props or {}
        if stored is None:
            self.edges[rel][edge_key] = {name: value for name, value in props.items() if value is not None}
        else:
            merge_props(spec.properties, stored, props)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.nodes.values()) + sum(len(rows) for rows in self.edges.values())
