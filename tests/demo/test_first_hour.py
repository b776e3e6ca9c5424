"""The first hour of every demo login, in English and in Japanese, in headless Chromium:
sign in through the login form (with the code `demo_code` prints where the login has a
second factor), search a word the demo's calls contain, open a contact the page offers
for playing, play it, read its transcript; the administrator also deletes a recording.

One small demo is loaded for the module, with one real worker and one browser; each
walk gets its own browser context in the walk's language."""

from __future__ import annotations

import contextlib
import io
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.testcases import LiveServerThread
from django.test.utils import modify_settings
from django.utils import translation

from demo.generate import RECORDING_DAYS
from demo.loader import DEMO_USERS, demo_load, demo_logins_with_second_factor, demo_password
from portal.accounts.models import User
from recordings import policy, selectors
from recordings.models import Recording
from search.models import Contact, TranscriptTurn
from tests.conftest import _drop_bucket
from tests.recordings.conftest import start_worker_process, unique_queue

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    # Each walk reads inside a transaction it rolls back; the demo, loaded once for the
    # module, and what the server and the worker write are committed outside it.
    pytest.mark.django_db,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

# Every call of the demo is recent enough to have its audio, and 40 of them give each
# login, the Tokyo site's supervisor and the agent included, several to choose from.
NOW = datetime.now(UTC).replace(microsecond=0)
CONTACTS, SEED = 40, 7
LOGINS = [username for username, *_ in DEMO_USERS]
LOCALES = {"en-US": "en", "ja-JP": "ja"}
# Words the demo's conversations use, most telling first (demo/conversations.py).
WORDS = {"en-US": ("cancel", "card", "bill", "thank"), "ja-JP": ("解約", "請求", "カード", "失礼")}
TIMEOUT_MS = 20_000
# The English walks, then the Japanese ones in reverse, so that the two walks of a login
# seldom fall within one TOTP period (a code is taken once).
WALKS = [("en-US", username) for username in LOGINS] + [("ja-JP", username) for username in reversed(LOGINS)]
USED_CODES: dict[str, str] = {}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[None]:
    """The demo in a bucket of its own, with a worker on a queue of its own. The database
    stays unblocked for the module: the live server's threads read it too."""
    from portal.celery import app
    from recordings import storage

    bucket = f"test-{uuid.uuid4().hex[:12]}"
    cache_dir = tmp_path_factory.mktemp("worker-cache")
    # Rate-limit counters and used TOTP codes live in the shared Redis: a prefix of our
    # own, which the worker writes its presence under too, keeps other runs out.
    cache_prefix = f"test-{uuid.uuid4().hex}"
    overrides = override_settings(
        CACHES={**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": cache_prefix}},
        CONNECT_BUCKET=bucket,
        CTR_SOURCE=f"s3://{bucket}/ctr/",
        VAR_DIR=tmp_path_factory.mktemp("var"),  # the demo password goes here
        RECORDING_CACHE_DIR=cache_dir,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), overrides, contextlib.ExitStack() as cleanup:
        assert connection.settings_dict["NAME"] == connection.settings_dict["TEST"]["NAME"], "not the test database"
        call_command("flush", interactive=False, verbosity=0)  # and the default profiles again
        cleanup.callback(call_command, "flush", interactive=False, verbosity=0)
        storage.ensure_bucket(bucket)
        cleanup.callback(_drop_bucket, bucket)
        queue = unique_queue()
        worker = start_worker_process(
            queue=queue, cache_dir=cache_dir, log_dir=tmp_path_factory.mktemp("logs"),
            env={"CACHE_KEY_PREFIX": cache_prefix},
        )  # fmt: skip
        cleanup.callback(worker.stop)
        cleanup.callback(setattr, app.conf, "task_default_queue", app.conf.task_default_queue)
        app.conf.task_default_queue = queue
        demo_load(contacts=CONTACTS, seed=SEED, now=NOW, days=RECORDING_DAYS)
        yield


@pytest.fixture(scope="module")
def server(demo) -> Iterator[str]:
    thread = LiveServerThread("localhost", StaticFilesHandler)
    thread.daemon = True
    with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://{thread.host}:{thread.port}"
        thread.terminate()


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--autoplay-policy=no-user-gesture-required"],
            )  # fmt: skip
            yield browser
            browser.close()


@dataclass
class Walk:
    """A browser tab of one login in one language, and what its pages answered."""

    page: Page
    language: str
    problems: list[str] = field(default_factory=list)

    def t(self, message: str) -> str:
        """`message` as the portal shows it in this walk's language; a Japanese walk
        fails on any English left untranslated."""
        with translation.override(self.language):
            shown = translation.gettext(message)
        assert self.language == "en" or shown != message, f"no Japanese for {message!r}"
        return shown


@pytest.fixture
def walk(request, server, chromium) -> Iterator[Walk]:
    locale = request.node.callspec.params["locale"]
    context = chromium.new_context(base_url=server, locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    walk = Walk(page, LOCALES[locale])
    page.on("pageerror", lambda error: walk.problems.append(f"script error: {error}"))
    # Chromium reports what it refused (a script the Content-Security-Policy blocks, say) as console errors.
    page.on("console", lambda message: walk.problems.append(message.text) if message.type == "error" else None)
    page.on("response", lambda r: walk.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield walk
    context.close()


# --- The steps ------------------------------------------------------------------------


def sign_in(walk: Walk, username: str) -> bool:
    """Sign in through the form; True if the portal asked for a second factor."""
    page = walk.page
    page.goto("/accounts/login/")
    page.get_by_role("heading", name=walk.t("Sign in")).wait_for()
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", demo_password())
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    asked = urlsplit(page.url).path == "/accounts/2fa/authenticate/"
    if asked:
        page.fill("input[name=code]", current_code(username))
        with page.expect_navigation():
            page.press("input[name=code]", "Enter")
    assert urlsplit(page.url).path == "/", page.url
    page.get_by_role("heading", name=walk.t("Contact search")).wait_for()
    assert page.locator("html").get_attribute("lang") == walk.language
    return asked


def current_code(username: str) -> str:
    """What `manage.py demo_code USERNAME` prints. The portal takes each code once, and
    a code in its last second would reach it too late: then wait for the next code, as
    a person would."""
    period = mfa_settings.TOTP_PERIOD
    while True:
        left = period - time.time() % period
        out = io.StringIO()
        call_command("demo_code", username, stdout=out)
        code = out.getvalue().strip()
        if left > 1.5 and code != USED_CODES.get(username):
            USED_CODES[username] = code
            return code
        time.sleep(left + 0.05)


def search(walk: Walk, word: str | None) -> list[str]:
    """Search through the form (by `word`, or with no filter) and return the contact IDs shown."""
    page = walk.page
    page.evaluate("document.querySelector('#result-count')?.setAttribute('data-stale', '')")
    if word is None:
        page.get_by_role("button", name=walk.t("Search"), exact=True).click()
    else:
        words = page.get_by_label(walk.t("Words or phrases"))
        words.fill(word)
        words.press("Enter")
    page.locator("#result-count:not([data-stale])").wait_for()
    if word is not None:
        page.locator("#results .chip-label", has_text=word).wait_for()
    return page.locator("#results tbody th[scope=row] a").all_inner_texts()


def play(walk: Walk, versions: set[str]) -> str:
    """Press Play (the redacted recording where offered, else the original with a
    reason) and wait until the audio element has the recording's metadata."""
    page = walk.page
    is_fetch = lambda r: r.url.endswith("/recording/fetch") and r.method == "POST"  # noqa: E731
    is_audio = lambda r: "/api/v1/audio/" in r.url  # noqa: E731
    with page.expect_request(is_fetch) as fetch, page.expect_response(is_audio, timeout=30_000) as audio:
        if "REDACTED" in versions:
            page.locator('[data-play-version="REDACTED"]').click()
        else:
            form = page.locator('form[data-play-version="ORIGINAL"]')
            form.get_by_label(walk.t("Reason for hearing the original (unredacted) recording")).fill("quality review")
            form.get_by_role("button", name=walk.t("Play original")).click()
    page.wait_for_function("() => document.querySelector('#player audio').readyState >= 1", timeout=30_000)
    assert audio.value.status == 206, (audio.value.status, audio.value.request.headers.get("range"))
    assert page.locator(".player-status.error").count() == 0, page.locator(".player-status").inner_text()
    return fetch.value.post_data_json["Version"]


def read_transcript(walk: Walk) -> str:
    """The transcript's turns; where only the original exists, asked for with a reason."""
    page = walk.page
    turns = page.locator("#transcript .turn")
    if turns.count() == 0:
        form = page.locator("form.original-transcript")
        form.get_by_label(walk.t("Reason for reading the original (unredacted) transcript")).fill("quality review")
        with page.expect_navigation():
            form.get_by_role("button", name=walk.t("Show original transcript")).click()
    turns.first.wait_for()
    return page.locator("#transcript").inner_text()


def delete_recording(walk: Walk, contact_id: str) -> None:
    page = walk.page
    page.goto(f"/contacts/{contact_id}/")
    page.get_by_role("link", name=walk.t("Delete recording…")).click()
    page.get_by_role("heading", name=walk.t("Delete the recording of this contact?")).wait_for()
    page.get_by_label(walk.t("Reason (recorded in the audit log)")).fill("customer asked for erasure")
    page.get_by_role("button", name=walk.t("Delete recording"), exact=True).click()
    # The page shows DELETING and refreshes itself until the worker has removed every copy.
    page.locator('[data-recording-status="DELETED"]').wait_for(timeout=30_000)
    assert "customer asked for erasure" in page.locator('[data-recording-status="DELETED"]').inner_text()
    assert page.locator("#player").count() == 0


# --- What the demo offers each login --------------------------------------------------


def playable_contacts(user: User) -> dict[str, set[str]]:
    """Visible voice contacts whose page offers Play, and the versions it offers."""
    offered = {}
    for contact in Contact.objects.visible_to(user).filter(channel="VOICE"):
        versions = policy.playable_versions(user.connect_permissions, selectors.media_state(contact))
        if versions:
            offered[contact.contact_id] = set(versions)
    return offered


def content_languages(user: User, contact_ids, ui_locale: str) -> list[str]:
    """The calls' languages to search in, the walk's own language first."""
    found = set(Contact.objects.filter(contact_id__in=contact_ids).values_list("language_locale", flat=True))
    return sorted(found & set(WORDS), key=lambda language: language != ui_locale)


def with_pii(contact_ids) -> set[str]:
    return set(
        TranscriptTurn.objects.filter(contact_id__in=contact_ids, content__contains="[PII]").values_list(
            "contact_id", flat=True
        )
    )


def recording_to_delete(keep: set[str]) -> str:
    """The oldest recording still there, of a contact that no other login depends on."""
    agent = User.objects.get(username="agent").agent
    recording = (
        Recording.objects.filter(status=Recording.AVAILABLE, contact__legal_hold=False)
        .exclude(location="")
        .exclude(contact__agent=agent)
        .exclude(contact__contact_id__in=keep)
        .order_by("contact__initiation_ts")
        .select_related("contact")
        .first()
    )
    assert recording is not None, "the demo has no recording left to delete"
    return recording.contact.contact_id


# --- The walk -------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "username"), WALKS, ids=[f"{locale}-{username}" for locale, username in WALKS])
def test_first_hour(walk: Walk, username: str, locale: str):
    user = User.objects.get(username=username)
    playable = playable_contacts(user)
    assert playable, f"the demo offers {username} nothing to play"
    page = walk.page

    assert sign_in(walk, username) == (username in demo_logins_with_second_factor())

    # Search: by a word of the calls this login may hear; the agent (no word search) by no filter.
    may_search_words = page.get_by_label(walk.t("Words or phrases")).count() > 0
    assert may_search_words == (username != "agent")
    words = [w for language in content_languages(user, playable, locale) for w in WORDS[language]]
    visible = set(Contact.objects.visible_to(user).values_list("contact_id", flat=True))
    found: list[str] = []
    seen: dict[str | None, int] = {}
    for word in words if may_search_words else [None]:
        shown = search(walk, word)
        seen[word] = len(shown)
        assert set(shown) <= visible, f"{username} was shown contacts beyond their own scope"
        found = [contact_id for contact_id in shown if contact_id in playable]
        if found:
            break
    assert found, f"nothing {username} may play among the results of {seen}"
    if username == "agent":
        assert not Contact.objects.filter(contact_id__in=shown).exclude(agent=user.agent).exists()
    if username == "qa":  # a call where redaction had something to hide, if the results have one
        found = sorted(found, key=lambda contact_id: contact_id not in with_pii(found))
    chosen = found[0]

    # Open it, read the transcript, play the recording.
    page.get_by_role("link", name=chosen, exact=True).click()
    page.wait_for_url(f"**/contacts/{chosen}/")  # and its load event: the whole page is there
    page.get_by_role("heading", name=walk.t("Transcript")).wait_for()
    transcript = read_transcript(walk)
    if username == "qa":
        assert page.locator('[data-play-version="ORIGINAL"]').count() == 0
        assert page.get_by_text(walk.t("Show original transcript")).count() == 0
        if chosen in with_pii([chosen]):
            assert "[PII]" in transcript
    version = play(walk, playable[chosen])
    assert version == ("REDACTED" if "REDACTED" in playable[chosen] else "ORIGINAL")
    if username == "qa":
        assert version == "REDACTED"
    label = "Redacted recording" if version == "REDACTED" else "Original (unredacted) recording"
    assert page.locator(".player-version").inner_text() == walk.t(label)

    if username == "admin":
        delete_recording(walk, recording_to_delete(keep={chosen}))

    assert walk.problems == []
