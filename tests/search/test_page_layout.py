"""The search page as people read it: the active filters as removable chips, the
hierarchy picker's paths, names that two resources share, and numbers."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs

import pytest
from django.test import Client

from hierarchy.models import HierarchyGroup
from search.models import ContactAnalysis, Queue, RoutingProfile

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def chips(body: str) -> dict[str, str]:
    """Each chip's label and the query of its link."""
    found = re.findall(r'<a class="chip" href="/\?([^"]*)"><span class="chip-label">([^<]*)</span>', body)
    return {unescape(label): unescape(query) for query, label in found}


def params(query: str) -> dict[str, list[str]]:
    return parse_qs(query, keep_blank_values=False)


def shown(body: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/contacts/([^/]+)/">', body)


SEARCH = {
    "time_type": ["INITIATION_TIMESTAMP"],
    "start": ["2026-10-01T00:00"],
    "channel": ["VOICE", "CHAT"],
    "queue": ["q-billing"],
    "hierarchy_l2": ["g-sales"],
    "hierarchy_l3": ["g-sales-a"],
    "keywords": ["refund"],
    "keyword_roles": ["CUSTOMER"],
    "keyword_match": ["MATCH_ANY"],
    "sentiment_role": ["CUSTOMER"],
    "sentiment_type": ["SCORE"],
    "sentiment_max": ["-1.5"],
    "categories": ["Cancellation"],
    "category_match": ["MATCH_ANY"],
    "attr_key_1": ["customerTier"],
    "attr_value_1": ["gold"],
    "page_size": ["25"],
    "sort": ["DURATION"],
}


def test_each_chip_links_to_the_search_without_exactly_its_filter(search_world):
    from urllib.parse import urlencode

    client = logged_in(search_world.users.admin)
    body = client.get("/?" + urlencode(SEARCH, doseq=True)).content.decode()
    found = chips(body)
    assert set(found) == {
        "Initiated from 2026-10-01 00:00",
        "Channel: Voice",
        "Channel: Chat",
        "Queue: Billing",
        "Agent hierarchy: Tokyo › Sales",
        "Agent hierarchy: Tokyo › Sales › Sales A",
        "Words or phrases: refund · Customer",
        "Customer sentiment – Score at most: -1.5",
        "Categories: Cancellation",
        "customerTier = gold",
    }
    removed = {
        "Initiated from 2026-10-01 00:00": {"start": None},
        "Channel: Voice": {"channel": ["CHAT"]},
        "Channel: Chat": {"channel": ["VOICE"]},
        "Queue: Billing": {"queue": None},
        "Agent hierarchy: Tokyo › Sales": {"hierarchy_l2": None},
        "Agent hierarchy: Tokyo › Sales › Sales A": {"hierarchy_l3": None},
        # A qualifier goes with the last filter that uses it, and only then.
        "Words or phrases: refund · Customer": {"keywords": None, "keyword_roles": None, "keyword_match": None},
        "Customer sentiment – Score at most: -1.5": {
            "sentiment_max": None, "sentiment_role": None, "sentiment_type": None,
        },
        "Categories: Cancellation": {"categories": None, "category_match": None},
        "customerTier = gold": {"attr_key_1": None, "attr_value_1": None},
    }  # fmt: skip
    for label, query in found.items():
        expected = {k: v for k, v in SEARCH.items() if k not in removed[label] or removed[label][k] is not None}
        expected.update({k: v for k, v in removed[label].items() if v is not None})
        assert params(query) == expected, label
        # Following the chip, every other chip is still there.
        after = chips(client.get("/?" + query).content.decode())
        assert set(after) == set(found) - {label}, label


def test_chips_show_the_result_count_and_a_clear_all_link(search_world):
    body = logged_in(search_world.users.admin).get("/?channel=CHAT&channel=TASK&page_size=50").content.decode()
    assert "2 contacts" in body
    assert set(chips(body)) == {"Channel: Chat", "Channel: Task"}
    assert '<a class="chips-clear" href="/?page_size=50">Clear all filters</a>' in body
    assert chips(logged_in(search_world.users.admin).get("/").content.decode()) == {}


def test_a_timestamp_type_alone_is_a_filter_with_its_chip(search_world):
    client = logged_in(search_world.users.admin)
    body = client.get("/?time_type=SCHEDULED_TIMESTAMP").content.decode()
    assert chips(body) == {"Timestamp: Scheduled": ""}
    assert shown(body) == [search_world.calls["task"].contact_id]


def test_the_chips_follow_htmx_updates_and_the_users_language(search_world):
    admin = search_world.users.admin
    admin.language = "ja"
    admin.save(update_fields=["language"])
    body = (
        logged_in(admin)
        .get("/?channel=CHAT&sentiment_min=0.5", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
        .content.decode()
    )
    assert set(chips(body)) == {"チャネル: チャット", "顧客の感情 – スコアの下限: 0.5"}


def picker(body: str) -> list[tuple[str, str, bool, str]]:
    """The hierarchy picker's options: field name, group id, ticked, path as shown."""
    options = re.findall(
        r'<li><label><input type="checkbox" name="(hierarchy_l\d)" value="([^"]*)"( checked)?>'
        r' <span class="path"><span class="above">([^<]*)</span>([^<]*)</span></label></li>',
        re.search(r'<ul class="tree-options"[^>]*>(.*?)</ul>', body, re.S).group(1),
    )
    return [(name, value, bool(ticked), unescape(above + leaf)) for name, value, ticked, above, leaf in options]


def test_the_hierarchy_picker_lists_every_group_by_its_path_in_tree_order(search_world):
    body = logged_in(search_world.users.admin).get("/?hierarchy_l3=g-sales-b").content.decode()
    assert picker(body) == [
        ("hierarchy_l1", "g-osaka", False, "Osaka"),
        ("hierarchy_l1", "g-tokyo", False, "Tokyo"),
        ("hierarchy_l2", "g-sales", False, "Tokyo › Sales"),
        ("hierarchy_l3", "g-sales-a", False, "Tokyo › Sales › Sales A"),
        ("hierarchy_l3", "g-sales-b", True, "Tokyo › Sales › Sales B"),
        ("hierarchy_l2", "g-support", False, "Tokyo › Support"),
        ("hierarchy_l3", "g-support-a", False, "Tokyo › Support › Support A"),
    ]
    assert 'for="hierarchy-filter"' in body and 'id="hierarchy-filter"' in body
    # The per-level lists are gone from the page; the search still reads the same keys.
    assert 'name="hierarchy_l1" id=' not in body and '<select name="hierarchy_l' not in body


def test_groups_that_share_a_name_are_told_apart_by_their_path(search_world):
    tokyo, osaka = search_world.groups["g-tokyo"], search_world.groups["g-osaka"]
    HierarchyGroup.objects.create(group_id="g-tokyo-japan", name="Japan", level=2, parent=tokyo)
    HierarchyGroup.objects.create(group_id="g-osaka-japan", name="Japan", level=2, parent=osaka)
    # The same path twice (a renamed branch): the end of the id tells them apart.
    HierarchyGroup.objects.create(group_id="g-twin-000000001", name="Twin", level=2, parent=osaka)
    HierarchyGroup.objects.create(group_id="g-twin-000000002", name="Twin", level=2, parent=osaka)
    body = logged_in(search_world.users.admin).get("/?hierarchy_l2=g-osaka-japan").content.decode()
    paths = {value: path for _, value, _, path in picker(body)}
    assert paths["g-tokyo-japan"] == "Tokyo › Japan" and paths["g-osaka-japan"] == "Osaka › Japan"
    assert paths["g-twin-000000001"] == "Osaka › Twin (…00000001)"
    assert paths["g-twin-000000002"] == "Osaka › Twin (…00000002)"
    assert set(chips(body)) == {"Agent hierarchy: Osaka › Japan"}


def test_queues_and_routing_profiles_that_share_a_name_show_the_end_of_their_id(search_world):
    Queue.objects.create(queue_id="7f0c2a11-0000-4000-8000-0000b111ab01", name="Billing")
    RoutingProfile.objects.create(routing_profile_id="rp-osaka-basic", name="Basic Routing")
    body = logged_in(search_world.users.admin).get("/").content.decode()
    queues = re.search(r'<select name="queue"[^>]*>(.*?)</select>', body, re.S).group(1)
    assert '<option value="q-billing">Billing (q-billing)</option>' in queues
    assert '<option value="7f0c2a11-0000-4000-8000-0000b111ab01">Billing (…b111ab01)</option>' in queues
    assert '<option value="q-support">Support</option>' in queues  # a name of its own stays as it is
    profiles = re.search(r'<select name="routing_profile"[^>]*>(.*?)</select>', body, re.S).group(1)
    assert '<option value="rp-basic">Basic Routing (rp-basic)</option>' in profiles
    assert '<option value="rp-osaka-basic">Basic Routing (…ka-basic)</option>' in profiles


def test_the_picker_is_built_in_one_query(search_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search.forms import SearchForm

    tokyo = search_world.groups["g-tokyo"]
    for n in range(50):
        HierarchyGroup.objects.create(group_id=f"g-extra-{n}", name=f"Team {n}", level=2, parent=tokyo)
    with CaptureQueriesContext(connection) as queries:
        groups = SearchForm().hierarchy_groups
    assert len(groups) == 57
    assert len([q for q in queries if "hierarchy_hierarchygroup" in q["sql"]]) == 1


@pytest.mark.parametrize("language", ["en", "ja"])
def test_sentiment_is_shown_with_at_most_two_decimals(search_world, language):
    w = search_world
    ContactAnalysis.objects.filter(contact_id=w.calls["billing"].contact_id).update(
        customer_sentiment=0.5555555555555556, agent_sentiment=1.5
    )
    w.users.admin.search_columns = ["agent_sentiment", "customer_sentiment"]
    w.users.admin.language = language
    w.users.admin.save(update_fields=["search_columns", "language"])
    body = logged_in(w.users.admin).get(f"/?contact_id={w.calls['billing'].contact_id}").content.decode()
    cells = re.findall(r'<td class="num">([^<]*)</td>', body)
    assert cells == ["1.5", "0.56"]
    assert "0.5555" not in body


def test_result_times_are_local_with_the_zone(search_world):
    w = search_world
    w.users.admin.time_zone = "Asia/Tokyo"
    w.users.admin.search_columns = ["initiation_ts"]
    w.users.admin.save(update_fields=["time_zone", "search_columns"])
    body = logged_in(w.users.admin).get(f"/?contact_id={w.calls['refund'].contact_id}").content.decode()
    assert ">2026-10-01 18:00</time>" in body
    assert 'Initiated <span class="zone">JST</span>' in body and "times in Asia/Tokyo" in body


@pytest.mark.parametrize(
    ("value", "en", "ja"),
    [
        (0.5555555555555556, "0.56", "0.56"),
        (-2.0, "-2", "-2"),
        (1.5, "1.5", "1.5"),
        (0.125, "0.13", "0.13"),
        (-0.001, "0", "0"),
        (None, "—", "—"),
    ],
)
def test_score_filter(value, en, ja):
    from django.utils import translation

    from search.templatetags.readable import score

    with translation.override("en"):
        assert score(value) == en
    with translation.override("ja"):
        assert score(value) == ja


def test_percent_and_duration_filters():
    from datetime import timedelta

    from search.templatetags.readable import duration, percent

    assert percent(11.24) == "11.2%" and percent(40.0) == "40%" and percent(None) == "—"
    assert duration(245) == "4:05" and duration(3725) == "1:02:05" and duration(timedelta(minutes=62)) == "1:02:00"
