"""`python -m tests.faults.ingest_main SOURCE...`: `manage.py ingest` with the suite's slow-downs."""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from tests.faults import instrument

    instrument.install()
    execute_from_command_line(["manage.py", "ingest", *sys.argv[1:]])
