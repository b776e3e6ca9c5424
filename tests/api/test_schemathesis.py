"""The OpenAPI document held to the live API by Schemathesis, as an administrator and as
a QA analyst: every phase (examples, coverage, fuzzing, and stateful runs that follow
the document's links from a search to the contact, its transcript, a recording fetch,
the fetch job and the download).

Checks: no server error, no schema-valid request refused, every response as the
document describes it (status, content type, body). Seeded and bounded, so a failure
reproduces with the same command; on failure the assertion shows Schemathesis' report.

The `schemathesis` command runs in its own process against pytest-django's live
server, with the hooks in tests/api/schemathesis_hooks.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from portal.accounts.tokens import token_create
from search.models import SearchableAttributeKey
from tests.recordings.conftest import _session_worker, make_media, org, persona, worker  # noqa: F401

HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = (
    "not_a_server_error,positive_data_acceptance,response_schema_conformance,"
    "status_code_conformance,content_type_conformance"
)
SEED = 20261101
MAX_EXAMPLES = 12
MAX_SECONDS = 35  # per persona; the stateful phase repeats until its share is spent
SEARCHABLE_KEY = "customerTier"
MIN_LINKS_COVERED = 6

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]


@pytest.fixture
def api_world(live_server, s3_bucket, worker, org, settings):  # noqa: F811 - fixtures imported above
    """A few contacts with recordings and transcripts in a bucket of their own. Most are on
    legal hold, so the administrator's generated deletions leave recordings to fetch."""
    settings.ALLOWED_HOSTS = ["*"]
    SearchableAttributeKey.objects.create(key=SEARCHABLE_KEY)
    for agent in (org.alice, org.wendy, org.alice):
        make_media(s3_bucket, agent=agent, legal_hold=True)
    make_media(s3_bucket, agent=org.alice, redacted=False)
    return {
        "admin": persona("admin", "Admin"),
        "qa": persona("qa", "QualityAnalyst"),
    }


def _run(base_url: str, token: str, workdir: Path) -> subprocess.CompletedProcess:
    command = [
        str(SCHEMATHESIS), "run", f"{base_url}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(MAX_EXAMPLES),
        "--max-time", str(MAX_SECONDS),
        "--seed", str(SEED),
        "--generation-database", "none",
        "--generation-allow-x00", "false",  # the document refuses NUL characters in every string
        "--workers", "1",
        "--request-timeout", "30",
        "--report", "json", "--report-json-path", str(workdir / "report.json"),
        "--no-color",
    ]  # fmt: skip
    environment = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(HOOKS),
        "FUZZ_SEARCHABLE_KEYS": SEARCHABLE_KEY,
    }
    # Run in a folder of its own: the command keeps a cache in its working directory.
    return subprocess.run(command, cwd=workdir, env=environment, capture_output=True, text=True, timeout=200)


@pytest.mark.parametrize("who", ["admin", "qa"])
def test_the_api_keeps_its_openapi_document(api_world, live_server, who, tmp_path):
    token = token_create(user=api_world[who], name="schemathesis")

    result = _run(live_server.url, token, tmp_path)

    output = result.stdout[-12000:] + result.stderr[-3000:]
    print(output)
    assert result.returncode == 0, output
    summary = json.loads((tmp_path / "report.json").read_text())
    assert summary["operations"]["tested"] == summary["operations"]["total"]
    # The stateful phase followed the document's links to real contacts and jobs.
    covered = re.search(r"API Links:\s+(\d+) covered", result.stdout)
    assert covered and int(covered.group(1)) >= MIN_LINKS_COVERED, output
