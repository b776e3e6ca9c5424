"""What a contact centre's staff do with the portal, as Locust users.

Each simulated person has their own portal login (a browser session for the pages, an
API token for the JSON API), prepared by `python -m loadtest` and passed in the file
named by LOADTEST_CONFIG. LOADTEST_THINK="MIN,MAX" is the pause between actions in
seconds ("0,0" for the saturation run).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta

from locust import HttpUser, between, constant, events, task

CONFIG = json.loads(open(os.environ["LOADTEST_CONFIG"], encoding="utf-8").read())
_think = [float(x) for x in os.environ.get("LOADTEST_THINK", "1,5").split(",")]
_accounts = itertools.cycle(CONFIG["accounts"])

# Words that occur in the demo's transcripts, in both of its languages.
KEYWORDS_EN = ("refund", "cancel", "billing", "address", "credit", "plan", "charge")
KEYWORDS_JA = ("解約", "請求", "返金", "住所", "契約", "変更", "クレジットカード")
PAGE_FILTERS = ("", "channel=VOICE", "channel=CHAT", "sort=INITIATION_TIMESTAMP&order=ASCENDING", "page_size=50")
PLAY_WAIT_SECONDS = 60
RANGE_BYTES = 64 * 1024


def _time_range() -> dict:
    end = datetime.now(UTC)
    return {
        "Type": "INITIATION_TIMESTAMP",
        "StartTime": (end - timedelta(days=90)).isoformat(),
        "EndTime": end.isoformat(),
    }


class PortalUser(HttpUser):
    wait_time = constant(0) if _think[1] <= 0 else between(*_think)

    def on_start(self) -> None:
        account = next(_accounts)
        self.client.cookies.set("sessionid", account["session"])
        self.api_headers = {"Authorization": f"Bearer {account['token']}", "Content-Type": "application/json"}

    # --- Pages ---------------------------------------------------------------------

    def _page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")

    @task(4)
    def search_page(self) -> None:
        self._page("/?" + random.choice(PAGE_FILTERS), "page: search")

    @task(3)
    def search_page_english_keyword(self) -> None:
        self._page(f"/?keywords={random.choice(KEYWORDS_EN)}", "page: search, English keyword")

    @task(3)
    def search_page_japanese_keyword(self) -> None:
        self._page(f"/?keywords={random.choice(KEYWORDS_JA)}", "page: search, Japanese keyword")

    @task(3)
    def contact_page(self) -> None:
        self._page(f"/contacts/{random.choice(CONFIG['contacts'])}/", "page: contact")

    @task(1)
    def export_csv(self) -> None:
        with self.client.get(
            f"/search/export.csv?keywords={random.choice(KEYWORDS_EN + KEYWORDS_JA)}",
            name="page: CSV export",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith("text/csv"):
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(1)
    def audit_page(self) -> None:
        self._page("/audit/", "page: audit log")

    # --- API -----------------------------------------------------------------------

    def _api(self, method: str, url: str, name: str, body: dict | None = None, expect: int = 200):
        with self.client.request(
            method, url, name=name, headers=self.api_headers, data=json.dumps(body) if body else None,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            return response.json()

    @task(2)
    def api_search(self) -> None:
        body = {"TimeRange": _time_range(), "MaxResults": 25}
        if random.random() < 0.5:
            word = random.choice(KEYWORDS_EN + KEYWORDS_JA)
            body["SearchCriteria"] = {
                "ContactAnalysis": {"Transcript": {"Criteria": [{"ParticipantRole": "CUSTOMER", "SearchText": [word]}]}}
            }
            self._api("POST", "/api/v1/search-contacts", "api: search-contacts, keyword", body)
        else:
            self._api("POST", "/api/v1/search-contacts", "api: search-contacts", body)

    @task(2)
    def transcript(self) -> None:
        contact = random.choice(CONFIG["contacts"])
        self._api("GET", f"/api/v1/contacts/{contact}/transcript?version=redacted", "api: transcript")

    @task(1)
    def play(self) -> None:
        """The player: ask for the recording, wait for the fetch, then read it in ranges."""
        contact = random.choice(CONFIG["playable"])
        job = self._api("POST", f"/api/v1/contacts/{contact}/recording/fetch", "api: play (fetch)",
                        {"Version": "REDACTED"}, expect=202)  # fmt: skip
        deadline = time.monotonic() + PLAY_WAIT_SECONDS
        while job and job["Status"] in ("QUEUED", "RUNNING") and time.monotonic() < deadline:
            job = self._api("GET", f"/api/v1/recording-jobs/{job['JobId']}?wait=5", "api: play (poll job)")
        if not job or not job.get("AudioUrl"):
            if job:
                events.request.fire(request_type="PLAY", name="api: play (job ready)", response_time=0,
                                    response_length=0, exception=RuntimeError(f"job ended {job['Status']}"))  # fmt: skip
            return
        size = self._audio_range(job["AudioUrl"], 0)
        if size:
            for start in (random.randrange(0, size), max(0, size - RANGE_BYTES)):
                self._audio_range(job["AudioUrl"], start)

    def _audio_range(self, url: str, start: int) -> int:
        headers = {**self.api_headers, "Range": f"bytes={start}-{start + RANGE_BYTES - 1}"}
        with self.client.get(url, name="api: audio range", headers=headers, catch_response=True) as response:
            if response.status_code != 206:
                response.failure(f"{response.status_code} for a ranged read")
                return 0
            return int(response.headers.get("Content-Range", "*/0").rsplit("/", 1)[-1])
