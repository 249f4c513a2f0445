"""What both command lines share: JSON on stdout, and a broken pipe (`| head`) is a clean exit."""
from __future__ import annotations

import json
import sys


def print_json(answer) -> None:
    json.dump(answer, sys.stdout, indent=2)
    sys.stdout.write("\n")


def entry(main) -> None:
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
