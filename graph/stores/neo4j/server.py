"""Start, wait for and stop the local Neo4j Community server that development and CI use.

No Docker and no distribution tarball: Maven resolves Neo4j's jars (graph/neo4j-server/pom.xml) and a
small launcher runs the embedded database with its Bolt connector on 127.0.0.1. The server runs in
the background with its pid in NEO4J_LOCAL_HOME/neo4j.pid and its output in NEO4J_LOCAL_HOME/neo4j.log.

    python -m graph.stores.neo4j.server start    # builds the launcher if needed, starts, waits for Bolt
    python -m graph.stores.neo4j.server stop     # SIGTERM: Neo4j's clean shutdown
    python -m graph.stores.neo4j.server status
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from graph.settings import LOCAL_NEO4J_PASSWORD, ROOT, neo4j_local_home, neo4j_local_port

log = logging.getLogger("neo4j-local")
PROJECT = ROOT / "graph" / "neo4j-server"
JAR = PROJECT / "target" / "neo4j-local-1.jar"
CLASSPATH = PROJECT / "target" / "classpath.txt"
# Neo4j's own neo4j.conf passes these; without java.nio the database fails at start (DirectByteBuffer).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
]


class LocalServerError(RuntimeError):
    """The local server cannot be built, started or reached: the message says what to do."""


def _password() -> str:
    return os.environ.get("NEO4J_PASSWORD") or LOCAL_NEO4J_PASSWORD


def _pid_file(home: Path) -> Path:
    return home / "neo4j.pid"


def _alive(pid: int) -> bool:
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child that has exited: reaped now
            return False
    except ChildProcessError:
        pass  # started by another process
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _running_pid(home: Path) -> int | None:
    try:
        pid = int(_pid_file(home).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def build() -> None:
    """Resolve Neo4j's jars with Maven and compile the launcher (once; skipped when up to date)."""
    sources = [PROJECT / "pom.xml", *PROJECT.glob("src/**/*.java")]
    if JAR.exists() and CLASSPATH.exists() and all(p.stat().st_mtime <= JAR.stat().st_mtime for p in sources):
        return
    if not shutil.which("mvn") or not shutil.which("java"):
        raise LocalServerError(
            "the local Neo4j needs Java 17+ and Maven (`apt-get install openjdk-17-jdk-headless "
            "maven`), or set NEO4J_URI/NEO4J_PASSWORD to an existing Neo4j"
        )
    log.info("building the local Neo4j launcher (Maven resolves Neo4j %s jars; the first time takes a minute)", "5.26")
    done = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(PROJECT / "pom.xml"), "package"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if done.returncode != 0:
        raise LocalServerError(f"Maven could not build {PROJECT}:\n{done.stdout[-3000:]}")


def bolt_answers(port: int, password: str, timeout: float = 2.0) -> bool:
    from neo4j import GraphDatabase
    from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable

    try:
        with GraphDatabase.driver(
            f"bolt://127.0.0.1:{port}", auth=("neo4j", password), connection_timeout=timeout
        ) as driver:
            driver.verify_connectivity()
        return True
    except (ServiceUnavailable, DriverError, Neo4jError, OSError):
        return False


def start(home: Path, port: int, page_cache_mb: int, heap: str, timeout: float) -> dict:
    """Start the server unless it already answers; return once Bolt answers."""
    password = _password()
    if bolt_answers(port, password):
        log.info("Neo4j already answers on bolt://127.0.0.1:%d", port)
        return {"uri": f"bolt://127.0.0.1:{port}", "started": False, "pid": _running_pid(home)}
    if _running_pid(home):
        raise LocalServerError(
            f"a local Neo4j (pid {_running_pid(home)}) runs but Bolt on port {port} does not "
            f"answer with NEO4J_PASSWORD; stop it with `python -m graph.stores.neo4j.server stop`"
        )
    build()
    home.mkdir(parents=True, exist_ok=True)
    classpath = f"{JAR}:{CLASSPATH.read_text().strip()}"
    command = [
        "java",
        f"-Xms{heap}",
        f"-Xmx{heap}",
        *JVM_FLAGS,
        "-cp",
        classpath,
        "contractgraph.Neo4jLocal",
        str(home),
        str(port),
        str(page_cache_mb),
    ]
    log_path = home / "neo4j.log"
    began = time.monotonic()
    with log_path.open("ab") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "NEO4J_PASSWORD": password},
            start_new_session=True,
        )
    _pid_file(home).write_text(f"{process.pid}\n")
    while time.monotonic() - began < timeout:
        if process.poll() is not None:
            raise LocalServerError(
                f"Neo4j exited with code {process.returncode} while starting; see {log_path}:\n{_tail(log_path)}"
            )
        if bolt_answers(port, password):
            seconds = time.monotonic() - began
            log.info(
                "Neo4j answers on bolt://127.0.0.1:%d after %.1f s (pid %d, log %s)",
                port,
                seconds,
                process.pid,
                log_path,
            )
            return {
                "uri": f"bolt://127.0.0.1:{port}",
                "started": True,
                "pid": process.pid,
                "startup_s": round(seconds, 2),
            }
        time.sleep(0.5)
    process.terminate()
    raise LocalServerError(f"Neo4j did not answer on port {port} within {timeout:.0f} s; see {log_path}")


def stop(home: Path, timeout: float = 60.0) -> bool:
    """SIGTERM and wait: the launcher's shutdown hook closes the database cleanly."""
    pid = _running_pid(home)
    if pid is None:
        _pid_file(home).unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            break
        time.sleep(0.2)
    else:
        raise LocalServerError(f"Neo4j (pid {pid}) did not stop within {timeout:.0f} s")
    _pid_file(home).unlink(missing_ok=True)
    log.info("Neo4j (pid %d) stopped", pid)
    return True


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.stores.neo4j.server", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--home", type=Path, default=None, help="data directory (NEO4J_LOCAL_HOME, default data/neo4j)")
    parser.add_argument("--port", type=int, default=None, help="Bolt port (NEO4J_LOCAL_PORT, default 7687)")
    parser.add_argument("--page-cache-mb", type=int, default=int(os.environ.get("NEO4J_PAGECACHE_MB", 1024)))
    parser.add_argument("--heap", default=os.environ.get("NEO4J_HEAP", "2g"))
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    home, port = (args.home or neo4j_local_home()).resolve(), args.port or neo4j_local_port()
    try:
        if args.command == "start":
            start(home, port, args.page_cache_mb, args.heap, args.timeout)
        elif args.command == "stop":
            if not stop(home):
                log.info("no local Neo4j runs from %s", home)
        else:
            answers = bolt_answers(port, _password())
            print(
                f"bolt://127.0.0.1:{port} {'answers' if answers else 'does not answer'}; "
                f"pid {_running_pid(home) or '-'}"
            )
            return 0 if answers else 1
    except LocalServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
