from graph.entry import entry

entry("ingest.cli")
