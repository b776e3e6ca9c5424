"""`make test`: the whole suite, with the fault suite in a second process alongside.

The fault cases spend most of their time waiting on servers they kill and pause (their
own PostgreSQL, Redis, S3 and workers, see tests/faults/conftest.py), so running them
beside the rest costs little CPU and keeps the suite well inside ten minutes. They get
a test database of their own; their output is printed when both are done.

With arguments, pytest runs once with exactly those arguments.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FAULTS_LOG = Path("var/log/test-faults.log")


def main(argv: list[str]) -> int:
    pytest = [sys.executable, "-m", "pytest"]
    if argv:
        return subprocess.call([*pytest, *argv])
    database = os.environ.get("PORTAL_TEST_DB_NAME", "test_portal")
    FAULTS_LOG.parent.mkdir(parents=True, exist_ok=True)
    with FAULTS_LOG.open("w") as log:
        faults = subprocess.Popen(
            [*pytest, "-m", "faults"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PORTAL_TEST_DB_NAME": f"{database}_faults"},
        )
        try:
            rest = subprocess.call([*pytest, "-m", "not faults"])
            faults_code = faults.wait()
        finally:
            if faults.poll() is None:
                faults.kill()
    print(f"\n=== the fault suite (tests/faults), run alongside; its log: {FAULTS_LOG} ===", flush=True)
    print(FAULTS_LOG.read_text()[-20000:], flush=True)
    return rest or faults_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
