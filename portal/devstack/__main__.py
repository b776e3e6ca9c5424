"""Command line: `python -m portal.devstack up|down|status [--var-dir DIR]`."""

from __future__ import annotations

import argparse
import sys

from .stack import down, status, up
from .state import DevstackError


def _print(line: str) -> None:
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m portal.devstack",
        description="Start, reuse, stop or check the embedded PostgreSQL, Redis and S3.",
    )
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--var-dir", help="default: $PORTAL_VAR_DIR or <repo>/var")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            up(args.var_dir, echo=_print)
        elif args.command == "down":
            down(args.var_dir, echo=_print)
        else:
            reports = status(args.var_dir)
            for report in reports:
                _print(report.line())
            return 0 if all(report.ok for report in reports) else 1
    except DevstackError as exc:
        print(exc, file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
