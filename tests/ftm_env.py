"""The FollowTheMoney library's own environment (.cache/ftm-venv), built from tests/ftm-requirements.txt.

Building it compiles pyicu (about two minutes of one core), so tests/conftest.py starts this script in the
background as soon as it knows tests/test_ftm.py will run, and the test's fixture calls `build()` too: a file lock
makes the second caller wait for the first and then find the environment ready. Run alone:
`python tests/ftm_env.py` (the log of a background build is .cache/ftm-venv.log).
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "tests" / "ftm-requirements.txt"
VENV = ROOT / ".cache" / "ftm-venv"
LOG = ROOT / ".cache" / "ftm-venv.log"


class BuildFailed(RuntimeError):
    """The environment could not be built: the message says why and what to install."""


def build() -> Path:
    """The environment's interpreter, (re)built from the pins when they changed; one builder at a time."""
    python, stamp = VENV / "bin" / "python", VENV / ".pins"
    wanted = hashlib.sha256(PINS.read_bytes()).hexdigest()
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / "ftm-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and stamp.exists() and stamp.read_text() == wanted:
            return python
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True, capture_output=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(PINS)],
                check=True,
                capture_output=True,
                text=True,
                timeout=1800,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise BuildFailed(
                f"could not build the FollowTheMoney environment in {VENV} from {PINS.name} (pyicu needs "
                f"ICU's headers: apt-get install libicu-dev pkg-config g++): {getattr(error, 'stderr', '')}"
            ) from None
        stamp.write_text(wanted)
    return python


def start_in_background() -> None:
    """Start `build()` in its own process, its output in LOG; the fixture's own call waits for it."""
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(LOG, "w") as log:
        subprocess.Popen([sys.executable, __file__], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


if __name__ == "__main__":
    try:
        print(build())
    except BuildFailed as error:
        sys.exit(str(error))
