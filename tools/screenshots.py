"""`make screenshots`: the README's pictures, taken from the demo in headless Chromium.

Uses the portal at PORTAL_URL when set (a running `make run`), otherwise starts one on a
free port for the length of the run. Signs in as the demo administrator (with the
demo's second-factor code), then photographs the search page with results, a contact
page with its player and transcript, and the audit log, in English and Japanese, into
docs/images/. Run it again whenever the pages change.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "images"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
USERNAME = os.environ.get("SCREENSHOT_USER", "admin")
WIDTH, HEIGHT = 1400, 900
LOCALES = {"en": "en-US", "ja": "ja-JP"}
# A word both demo languages' transcripts contain in some calls, so the results and the
# highlighted transcript show what keyword search does.
SEARCH_WORDS = {"en": "refund", "ja": "解約"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=3) as answer:
            return answer.status == 200
    except OSError:
        return False


def _start_portal() -> tuple[str, subprocess.Popen]:
    port = _free_port()
    log = open(REPO / "var" / "log" / "screenshots-run.log", "wb")  # noqa: SIM115 - the child owns it
    launcher = subprocess.Popen(
        [sys.executable, "-m", "portal.launcher"], cwd=REPO, env={**os.environ, "PORT": str(port)},
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while not _healthy(url):
        if launcher.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the portal did not start; see {log.name}")
        time.sleep(2)
    return url, launcher


def _manage(*args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _demo_password() -> str:
    return os.environ.get("PORTAL_DEMO_PASSWORD") or (REPO / "var" / "demo-password").read_text().strip()


def _sign_in(page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("input[name=login]").fill(USERNAME)
    page.locator("input[name=password]").fill(_demo_password())
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    for _attempt in range(2):
        if "/2fa/" not in page.url:
            break
        page.locator("input[name=code]").fill(_manage("demo_code", USERNAME))
        with page.expect_navigation():
            page.locator("input[name=code]").press("Enter")
        if "/2fa/" in page.url:  # a code is good once: a recent run used this one
            time.sleep(30 - time.time() % 30 + 1)
    if "/accounts/" in page.url:
        said = page.locator("main").inner_text()[:300]
        raise SystemExit(f"could not sign in as {USERNAME} (now at {page.url}): {said}")


def _search(page, url: str, language: str) -> None:
    page.goto(f"{url}/?keywords={SEARCH_WORDS[language]}")
    page.locator("#results tbody tr").first.wait_for()
    page.screenshot(path=OUT / f"search-{language}.png", full_page=False)


def _contact(page, url: str, language: str) -> None:
    """The first result that has a player: press play, wait for the audio, photograph."""
    links = page.locator("#results tbody th[scope=row] a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(min(links.count(), 25))]
    for href in hrefs:
        page.goto(f"{url}{href}")
        redacted, original = page.locator("button[data-play-version=REDACTED]"), page.locator("form.original-play")
        if redacted.count():
            redacted.first.click()
        elif original.count():  # Japanese calls: Contact Lens made no redacted version
            original.locator("input[name=reason]").fill("README screenshot")
            original.locator("button[type=submit]").click()
        else:
            continue
        page.locator(".player-ui").wait_for(state="visible", timeout=30_000)
        page.screenshot(path=OUT / f"contact-{language}.png", full_page=True)
        return
    raise SystemExit(f"no playable contact among the first results of {SEARCH_WORDS[language]!r}")


def _audit(page, url: str, language: str) -> None:
    page.goto(f"{url}/audit/")
    page.locator("table tbody tr").first.wait_for()
    page.screenshot(path=OUT / f"audit-{language}.png", full_page=False)


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        print(f"Chromium is needed at {CHROMIUM} (apt-get install chromium fonts-ipafont-gothic)")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    url, launcher = os.environ.get("PORTAL_URL", "").rstrip("/"), None
    if not url:
        (REPO / "var" / "log").mkdir(parents=True, exist_ok=True)
        url, launcher = _start_portal()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            signed_in = None  # one sign-in for both languages: a second-factor code is good once
            for language, locale in LOCALES.items():
                context = browser.new_context(
                    viewport={"width": WIDTH, "height": HEIGHT}, locale=locale, storage_state=signed_in
                )
                context.set_default_timeout(20_000)
                page = context.new_page()
                if signed_in is None:
                    _sign_in(page, url)
                    signed_in = context.storage_state()
                _search(page, url, language)
                _contact(page, url, language)
                _audit(page, url, language)
                context.close()
            browser.close()
    finally:
        if launcher is not None:
            launcher.send_signal(signal.SIGINT)
            launcher.wait(timeout=60)
    for path in sorted(OUT.glob("*.png")):
        print(re.sub(f"^{re.escape(str(REPO))}/", "", str(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
