"""What both command lines share: JSON on stdout, and a bad argument is one line on stderr with exit code 2
(numbers checked against their range). Start-up, Ctrl-C and a broken pipe are `graph.entry`'s."""

from __future__ import annotations

import argparse
import json
import math
import sys


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its errors in one line (no usage block): what to fix, and where to read more."""

    def error(self, message: str):
        sys.stderr.write(f"error: {self.prog}: {message} (see --help)\n")
        sys.exit(2)


def number(kind, low=None, high=None):
    """An argparse type: an int or float (finite) within [low, high], else a message naming the range."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'a whole number' if kind is int else 'a number'}"
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if (low is not None and value < low) or (high is not None and value > high):
            span = (
                f"between {low} and {high}"
                if low is not None and high is not None
                else f"at least {low}"
                if low is not None
                else f"at most {high}"
            )
            raise argparse.ArgumentTypeError(f"{text} is out of range: give a number {span}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def print_json(answer) -> None:
    json.dump(answer, sys.stdout, indent=2)
    sys.stdout.write("\n")
