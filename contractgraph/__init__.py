"""The `contractgraph` command: one name for the three command lines (ingest, graph, dashboard.serve)."""
