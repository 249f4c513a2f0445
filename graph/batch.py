"""A batch of node and edge upserts, merged by the schema's policies before it reaches a store.

Both stores take the same Batch, so the mapping from records to graph rows is written once
(`ingest.load`) and a store only has to apply rows: MERGE on key, then merge properties.
"""
from __future__ import annotations

from collections import defaultdict

from core.schema import LABELS, REL_TYPES, as_of


def stamp(policies: dict[str, str], props: dict) -> dict:
    """A record's properties with the as-of date of each "latest" value it carries (schema.py)."""
    for name, policy in policies.items():
        if policy.startswith("latest:") and props.get(name) is not None:
            clock = policy.split(":", 1)[1]
            if name != clock and as_of(name) not in props and props.get(clock) is not None:
                props[as_of(name)] = props[clock]
    return props


def merge_props(policies: dict[str, str], stored: dict, incoming: dict) -> dict:
    """Apply incoming properties (stamped) onto stored ones (in place) by each property's merge policy."""
    for name, value in incoming.items():
        if value is None:
            continue
        policy = policies.get(name, "first")
        if policy == "as_of":
            continue  # written with its property, below
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
        else:  # latest:<clock>
            clock = policy.split(":", 1)[1]
            if name == clock:
                incoming_at, stored_at = value, stored.get(name)
            else:
                incoming_at, stored_at = incoming.get(as_of(name)), stored.get(as_of(name))
            if stored.get(name) is None or (incoming_at is not None and (stored_at is None or incoming_at >= stored_at)):
                stored[name] = value
                if name != clock:  # the date goes with the value (absent when the row had none)
                    if incoming_at is None:
                        stored.pop(as_of(name), None)
                    else:
                        stored[as_of(name)] = incoming_at
    return stored


class Batch:
    def __init__(self):
        self.nodes: dict[str, dict[str, dict]] = defaultdict(dict)
        self.edges: dict[str, dict[tuple, dict]] = defaultdict(dict)
        self.awards_touched: set[str] = set()

    def node(self, label: str, key: str, props: dict) -> None:
        spec = LABELS[label]
        props = stamp(spec.properties, {name: value for name, value in props.items() if value is not None})
        stored = self.nodes[label].get(key)
        if stored is None:
            self.nodes[label][key] = props
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
