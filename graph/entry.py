"""`python -m ingest` and `python -m graph` start here. This module imports nothing but what the interpreter
has loaded already, so Ctrl-C from the first line on is one line on stderr (exit 130), never a traceback, and
`| head` closing the pipe is a clean exit."""

import importlib
import signal
import sys

DUCKDB_INTERRUPTED = "Query interrupted"  # what DuckDB raises (a RuntimeError) when Ctrl-C stops a query


def interrupted(error: BaseException | None) -> bool:
    """Ctrl-C, however it surfaced: itself, DuckDB's RuntimeError, or an import it broke (an ImportError)."""
    while error is not None:
        if isinstance(error, KeyboardInterrupt) or (
            isinstance(error, RuntimeError) and str(error) == DUCKDB_INTERRUPTED
        ):
            return True
        error = error.__cause__ or error.__context__
    return False


def entry(module: str) -> None:
    """Run `module.main()`, importing it here so that Ctrl-C even during start-up is one line, not a traceback."""
    try:
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
