import sys

from contractgraph.cli import main

sys.exit(main())
