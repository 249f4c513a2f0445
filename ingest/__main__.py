from graph.console import entry

from .cli import main

entry(main)
