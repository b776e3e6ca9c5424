"""End to end in headless Chromium: a supervisor restricted to the Sales branch searches
a Japanese word, sees only their teams' contacts, sorts, pages and exports."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client

from tests.browser_csp import watch_csp
from tests.factories import make_user
from tests.search.builders import Call, ingest_calls
from tests.search.conftest import OSAKA, SALES_A, SALES_B, T0, default_profiles, mfa

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM}"),
]


def _japanese(n: int, groups, agent: str, text: str) -> Call:
    return Call(
        f"22222222-0000-4000-8000-{n:012d}",
        T0 + timedelta(minutes=n),
        agent,
        groups,
        language="ja-JP",
        turns=[("CUSTOMER", text, None), ("AGENT", "かしこまりました", None)],
    )


@pytest.fixture
def branch(tmp_path):
    """30 Sales contacts where the customer wants to cancel (解約), 5 Sales ones without
    it, and 5 Osaka ones with it."""
    default_profiles()
    sales = [_japanese(n, SALES_A if n % 2 else SALES_B, "sa" if n % 2 else "sb", "契約を解約したいのですが")
             for n in range(1, 31)]  # fmt: skip
    other = [_japanese(n, SALES_A, "sa", "住所を変更したいです") for n in range(31, 36)]
    osaka = [_japanese(n, OSAKA, "os", "解約をお願いします") for n in range(36, 41)]
    ingest_calls(tmp_path / "connect", sales + other + osaka)
    from hierarchy.models import HierarchyGroup

    supervisor = mfa(make_user("supervisor", profiles=["CallCenterManager"],
                               group=HierarchyGroup.objects.get(group_id="g-sales")))  # fmt: skip
    supervisor.time_zone = "Asia/Tokyo"
    supervisor.language = "en"  # the labels below are the English ones
    supervisor.save(update_fields=["time_zone", "language"])
    return supervisor, [c.contact_id for c in sales]


@pytest.fixture
def page(live_server, branch, monkeypatch) -> Iterator:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    supervisor, _ = branch
    client = Client()
    client.force_login(supervisor)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(base_url=live_server.url, locale="ja-JP", accept_downloads=True)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        context.set_default_timeout(15_000)
        tab = context.new_page()
        violations = watch_csp(tab)
        yield tab
        browser.close()
    assert violations == []


def shown_ids(page) -> list[str]:
    return page.locator("#results tbody th[scope=row] a").all_inner_texts()


def test_restricted_supervisor_searches_in_japanese_sorts_pages_and_exports(page, branch):
    _, sales_ids = branch
    page.goto("/")
    page.get_by_label("Words or phrases").fill("解約")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/?*keywords=*")
    page.locator("#result-count").filter(has_text="30").wait_for()

    first_page = shown_ids(page)
    assert len(first_page) == 25 and set(first_page) <= set(sales_ids)
    assert first_page[0] == sales_ids[-1]  # newest first
    stamp = page.locator("#results tbody tr").first.locator("time").first.get_attribute("datetime")
    assert stamp.endswith("+09:00")  # the supervisor's time zone

    page.get_by_role("link", name="Initiated").click()
    page.locator('th[aria-sort="ascending"]').wait_for()
    ascending = shown_ids(page)
    assert ascending == sales_ids[:25]

    page.get_by_role("link", name="Next page").click()
    page.get_by_text("showing 26–30").wait_for()
    assert shown_ids(page) == sales_ids[25:]

    with page.expect_download() as download:
        page.locator("a.export").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "Contact ID"
    assert [r[0] for r in rows[1:]] == sales_ids


def test_keyboard_only(page, branch):
    page.goto("/")
    page.get_by_label("Words or phrases").focus()
    page.keyboard.type("解約")
    page.keyboard.press("Enter")
    page.locator("#result-count").filter(has_text="30").wait_for()
    assert page.locator("#results").get_attribute("aria-live") == "polite"


OVERFLOW = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("header *, main *")) {
    // A table scrolls sideways inside its own box; that is not the page overflowing.
    if (!el.checkVisibility() || el.closest(".table-wrap, .table-scroll")) continue;
    const box = el.getBoundingClientRect(), parent = el.parentElement.getBoundingClientRect();
    if (box.width && (box.right > parent.right + 1 || box.left < parent.left - 1)) {
      bad.push(`${el.tagName}.${el.className} ${Math.round(box.width)} in ${Math.round(parent.width)}`);
    }
  }
  const page = document.documentElement;
  return {scroll: page.scrollWidth, client: page.clientWidth, top: document.querySelector("header.top").getBoundingClientRect().width, bad};
}"""


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("width", [1280, 768])
def test_nothing_overflows_its_box(page, branch, width, language):
    supervisor, _ = branch
    supervisor.language = language
    supervisor.save(update_fields=["language"])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/?keywords=解約&channel=VOICE&sentiment_min=-5&hierarchy_l3=g-sales-a")
    page.locator("#result-count").wait_for()
    page.locator(".more-filters > summary").click()  # the filters behind it too
    layout = page.evaluate(OVERFLOW)
    assert layout["scroll"] <= layout["client"] == width, layout
    assert layout["top"] == width  # the top bar spans the window
    assert layout["bad"] == []


def test_the_hierarchy_picker_works_with_the_keyboard(page, branch):
    page.goto("/")
    picker = page.locator("[data-tree-picker]")
    page.get_by_label("Filter hierarchy groups").focus()
    page.keyboard.type("sales")
    assert picker.locator("li", has_text="Osaka").is_hidden()
    assert picker.locator("li:visible").all_inner_texts() == [
        "Tokyo › Sales", "Tokyo › Sales › Sales A", "Tokyo › Sales › Sales B",
    ]  # fmt: skip

    page.keyboard.press("ArrowDown")  # to the first match
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")  # ticks Sales A
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # ticks Sales B, and does not submit the form
    ticked = picker.locator("input:checked")
    assert [box.get_attribute("value") for box in ticked.all()] == ["g-sales-a", "g-sales-b"]
    assert picker.locator(".tree-status").inner_text().endswith("2 chosen")
    for _ in range(3):
        page.keyboard.press("ArrowUp")  # past the first match, back to the filter
    assert page.evaluate("document.activeElement.id") == "hierarchy-filter"

    page.get_by_role("button", name="Search", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**hierarchy_l3=g-sales-a&hierarchy_l3=g-sales-b**")
    chips = page.locator("#results .chip-label").all_inner_texts()
    assert chips == ["Agent hierarchy: Tokyo › Sales › Sales A", "Agent hierarchy: Tokyo › Sales › Sales B"]
