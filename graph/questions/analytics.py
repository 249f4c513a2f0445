"""Network measures of the vendor-agency graph, computed with networkx from a store's `subgraph`.

Works the same over either store (it reads only the `subgraph` answer). Centrality says which
vendors sit between many agencies (a vendor that links ICE, CBP and the Marshals is a broker even if
another takes more money from one of them); the campaign view ranks on it next to money.
"""

from __future__ import annotations

import networkx as nx

EXACT_BETWEENNESS_UP_TO = 2000  # nodes; above it betweenness is estimated from a fixed sample of sources
SAMPLE = 500


def award_network(network: dict) -> nx.Graph:
    """Undirected vendor-agency graph: one edge per pair, weighted by obligated dollars."""
    graph = nx.Graph()
    kinds = {node["id"]: node for node in network["nodes"]}
    for edge in network["edges"]:
        if edge["type"] != "AWARDS":
            continue
        for nid in (edge["source"], edge["target"]):
            node = kinds[nid]
            graph.add_node(nid, kind=node["kind"], name=node["name"])
        graph.add_edge(
            edge["source"],
            edge["target"],
            obligated=edge["obligated"],
            awards=edge["awards"],
            distance=1.0 / max(abs(edge["obligated"]), 1.0),
        )
    return graph


def vendor_centrality(network: dict, limit: int = 25) -> dict:
    """Vendors ranked by how many agencies they reach and how much they bridge, with money alongside."""
    graph = award_network(network)
    if graph.number_of_nodes() == 0:
        return {"nodes": 0, "edges": 0, "betweenness": "exact", "vendors": []}
    exact = graph.number_of_nodes() <= EXACT_BETWEENNESS_UP_TO
    betweenness = nx.betweenness_centrality(
        graph, k=None if exact else min(SAMPLE, graph.number_of_nodes()), seed=0, normalized=True
    )
    degree = nx.degree_centrality(graph)
    rows = []
    for nid, data in graph.nodes(data=True):
        if data["kind"] != "Vendor":
            continue
        edges = graph[nid]
        rows.append(
            {
                "id": nid,
                "name": data["name"],
                "agencies": len(edges),
                "obligated": round(sum(edge["obligated"] for edge in edges.values()), 2),
                "awards": sum(edge["awards"] for edge in edges.values()),
                "degree_centrality": round(degree[nid], 6),
                "betweenness": round(betweenness[nid], 6),
            }
        )
    rows.sort(key=lambda row: (-row["betweenness"], -row["agencies"], -row["obligated"], row["id"]))
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "betweenness": "exact" if exact else f"estimated from {SAMPLE} sampled sources (seed 0)",
        "vendors": rows[:limit],
    }
