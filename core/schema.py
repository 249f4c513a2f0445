"""The graph model, declared once: node labels with their keys and display names, relationship types.

Both stores hold this model (the embedded store as tables, Neo4j as nodes and relationships), and the
exports (GraphML, GEXF, neo4j-admin CSV, Cypher) write it. Money lives on `Fact` nodes: one per
contract action, plus an award's total not split by year where only a summary reports it
(`core/facts.py` says what each record row holds, `graph/stores/duckdb/sql.py` how facts are derived).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    name: str
    key: str  # the identity property
    title: str  # the property shown as a node's name


@dataclass(frozen=True)
class RelType:
    name: str
    start: str
    end: str
    keyed: bool = False  # several of this type may join the same two nodes, told apart by `key`


LABELS = {
    label.name: label
    for label in (
        Label("Vendor", "id", "name"),
        Label("Agency", "id", "name"),
        Label("Award", "key", "piid"),
        Label("Fact", "key", "modification"),
        Label("Vehicle", "key", "key"),
    )
}
REL_TYPES = {
    rel.name: rel
    for rel in (
        RelType("PARENT", "Vendor", "Vendor", keyed=True),  # key: its basis, record (self-reported to SAM) or curated
        RelType("PART_OF", "Agency", "Agency"),
        RelType("AWARDED_TO", "Award", "Vendor"),  # the award's recipient as of its latest record
        RelType("AWARDED_BY", "Award", "Agency"),  # the most specific awarding agency (office over sub-agency)
        RelType("FUNDED_BY", "Award", "Agency"),
        RelType("HAS_FACT", "Award", "Fact"),
        RelType("UNDER_VEHICLE", "Award", "Vehicle"),
        RelType("SUBAWARD", "Award", "Vendor", keyed=True),
        # an action whose description names the vendor's product, sold by another vendor (graph/attribution.py)
        RelType("MENTIONS_PRODUCT", "Fact", "Vendor"),
        # the local layer (core/local.py): agencies of tier `local` (Neo4j: also labelled `Local`), with no money
        # summed into the federal figures; a local contract's amount is its document's, never an obligation
        RelType("USES", "Agency", "Vendor", keyed=True),  # a deployment; key: agency|vendor|technology
        RelType("SHARES_DATA_WITH", "Agency", "Agency", keyed=True),  # the end agency can search the start's data
        RelType("CONTRACTS_WITH", "Agency", "Vendor", keyed=True),  # a local contract or purchase order
    )
}
AGENCY_TIERS = ("toptier", "subtier", "office")
LOCAL_TIER = "local"  # an agency from local data; federal bodies it names keep their federal tier
LOCAL_LABEL = "Local"  # Neo4j's second label on every node of the local layer, kept out of the federal reads


def agency_id(tier: str, code: str) -> str:
    return f"{tier}:{code}"
