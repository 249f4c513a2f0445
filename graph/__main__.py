from graph.entry import entry

entry("graph.cli")
