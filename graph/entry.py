"""`python -m ingest` and `python -m graph` start here. This module imports nothing but what the interpreter
has loaded already, so Ctrl-C from the first line on is one line on stderr (exit 130), never a traceback, and
`| head` closing the pipe is a clean exit."""

import importlib
import signal
import sys

DUCKDB_INTERRUPTED = "Query interrupted"  # what DuckDB raises (a RuntimeError) when Ctrl-C stops a query
# extension modules that abort the whole process ("Critical nanobind error") when a KeyboardInterrupt is raised
# while they start up: imported first, with Ctrl-C held until they are loaded
HELD_IMPORTS = ("duckdb",)


def interrupted(error: BaseException | None) -> bool:
    """Ctrl-C, however it surfaced: itself, DuckDB's RuntimeError, or an import it broke (an ImportError)."""
    while error is not None:
        if isinstance(error, KeyboardInterrupt) or (
            isinstance(error, RuntimeError) and str(error) == DUCKDB_INTERRUPTED
        ):
            return True
        error = error.__cause__ or error.__context__
    return False


def import_held(name: str) -> None:
    """Import `name` with Ctrl-C noted rather than raised, then raise it once the module is loaded."""
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: pressed.append(number))
    try:
        importlib.import_module(name)
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


def entry(module: str) -> None:
    """Run `module.main()`, importing it here so that Ctrl-C even during start-up is one line, not a traceback."""
    try:
        for name in HELD_IMPORTS:
            import_held(name)
        code = importlib.import_module(module).main()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # done: a late Ctrl-C must not break the exit into a traceback
        sys.exit(code)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except BaseException as error:  # SystemExit, the answer, goes on through
        if not interrupted(error):
            raise
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stderr.write("interrupted\n")
        sys.exit(130)
