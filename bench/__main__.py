"""`make bench`: every benchmark, each in its own process (each sets up its own database)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

BENCHMARKS = ["bench.ingest_bench", "bench.search_bench", "bench.recordings_bench", "bench.api_auth_bench", "bench.redaction_bench",
              "bench.erasure_bench", "bench.bulk_bench", "bench.redaction_audio_bench"]


def main(argv: list[str]) -> int:
    chosen = [b for b in BENCHMARKS if not argv or any(a in b for a in argv)]
    failed = 0
    for name in chosen:
        if importlib.util.find_spec(name) is None:
            print(f"\n## {name}: not present")
            continue
        print(f"\n## {name}", flush=True)
        failed += subprocess.call([sys.executable, "-m", name]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
