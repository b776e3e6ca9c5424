"""Every filter alone and combined, and the access scope under every one of them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from search.criteria import (
    AttributeCriterion,
    CategoryCriterion,
    NonTalkCriterion,
    SearchCriteria,
    SentimentCriterion,
    Term,
    TextCriterion,
)
from search.models import Contact, SearchableAttributeKey
from search.selectors import contact_export_rows, contact_search
from search.selectors.paging import _SORT_COLUMNS
from tests.search.conftest import ALL_RECENT, T0

pytestmark = pytest.mark.django_db


def found(user, **criteria) -> set[str]:
    page = contact_search(user=user, criteria=SearchCriteria(**criteria), page_size=100)
    return {c.contact_id for c in page.contacts}


def visible(user) -> set[str]:
    return set(Contact.objects.visible_to(user).values_list("contact_id", flat=True))


def named(world, *names: str) -> set[str]:
    return {world.calls[n].contact_id for n in names}


def words(text: str, *roles: str, match: str = "MATCH_ANY") -> tuple[TextCriterion, ...]:
    from search.criteria import parse_terms

    return (TextCriterion(tuple(roles), parse_terms(text), match),)


# (case name, criteria, contacts the admin finds)
CASES = [
    ("no filter", {}, (*ALL_RECENT, "old")),
    ("time range", {"start": T0 - timedelta(hours=1), "end": T0 + timedelta(hours=3)}, ("refund", "billing", "ja")),
    ("scheduled timestamp", {"time_type": "SCHEDULED_TIMESTAMP"}, ("task",)),
    ("connected timestamp", {"time_type": "CONNECTED_TO_AGENT_TIMESTAMP", "start": T0 - timedelta(hours=1)},
     ("refund", "billing", "ja", "ja_other", "osaka", "task", "deleted")),
    ("enqueue timestamp", {"time_type": "ENQUEUE_TIMESTAMP", "start": T0 - timedelta(hours=1)},
     ("refund", "billing", "ja", "ja_other", "osaka", "no_agent", "deleted")),
    ("contact id", {"contact_id": "11111111-0000-4000-8000-000000000001"}, ("refund",)),
    ("contact id ignores other filters",
     {"contact_id": "11111111-0000-4000-8000-000000000001", "channels": ("CHAT",), "start": T0 + timedelta(days=9)},
     ("refund",)),
    ("channel", {"channels": ("CHAT",)}, ("billing",)),
    ("channels", {"channels": ("CHAT", "TASK")}, ("billing", "task")),
    ("initiation method", {"initiation_methods": ("TRANSFER",)}, ("ja",)),
    ("disconnect reason", {"disconnect_reasons": ("AGENT_DISCONNECT", "CONTACT_FLOW_DISCONNECT")},
     ("billing", "no_agent")),
    ("agent", {"agent_ids": ("sa",)}, ("refund", "ja_other", "deleted", "old")),
    ("hierarchy L1", {"hierarchy": (("g-osaka",), (), (), (), ())}, ("osaka",)),
    ("hierarchy L2", {"hierarchy": ((), ("g-sales",), (), (), ())},
     ("refund", "billing", "ja_other", "task", "deleted", "old")),
    ("hierarchy L3", {"hierarchy": ((), (), ("g-sales-b", "g-support-a"), (), ())}, ("billing", "task", "ja")),
    ("queue", {"queue_ids": ("q-support",)}, ("billing", "ja")),
    ("routing profile", {"routing_profile_ids": ("rp-ja",)}, ("ja",)),
    ("customer phone", {"customer_phone": "+819011112222"}, ("billing",)),
    ("shared customer phone", {"customer_phone": "+81312345678"},
     ("refund", "ja", "ja_other", "osaka", "no_agent", "deleted", "old")),
    ("system phone", {"system_phone": "+81366667777"}, ("deleted",)),
    ("duration at least", {"min_duration": 1000}, ("task", "deleted")),
    ("duration at most", {"max_duration": 60}, ("no_agent", "old")),
    ("duration range", {"min_duration": 500, "max_duration": 1000}, ("billing", "ja")),
    ("has recording", {"has_recording": True}, ("refund", "ja", "ja_other", "osaka", "no_agent", "old")),
    ("has no recording", {"has_recording": False}, ("billing", "task", "deleted")),
    ("recording status", {"recording_statuses": ("DELETED",)}, ("deleted",)),
    ("keywords", {"transcript": words("refund")}, ("refund", "billing", "osaka", "no_agent")),
    ("customer sentiment score", {"sentiment": SentimentCriterion("CUSTOMER", "SCORE", max=-1.5)}, ("refund",)),
    ("agent sentiment score", {"sentiment": SentimentCriterion("AGENT", "SCORE", min=3.5)}, ("billing",)),
    ("sentiment shift", {"sentiment": SentimentCriterion("CUSTOMER", "SHIFT", begin_max=-1, end_min=1)},
     ("refund", "ja")),
    ("non-talk time", {"non_talk": NonTalkCriterion(min_ms=60000)}, ("billing", "ja")),
    ("non-talk percent", {"non_talk": NonTalkCriterion(min_percent=15)}, ("billing",)),
    ("interruptions", {"interruptions_min": 2}, ("refund",)),
    ("categories any", {"categories": CategoryCriterion(("Cancellation", "解約"), "MATCH_ANY")},
     ("refund", "osaka", "ja")),
    ("categories all", {"categories": CategoryCriterion(("Cancellation", "Billing"), "MATCH_ALL")}, ()),
    ("categories none", {"categories": CategoryCriterion(("Cancellation",), "MATCH_NONE")},
     ("billing", "ja", "ja_other", "no_agent")),
    ("attribute", {"attributes": (AttributeCriterion("customerTier", ("gold",)),)}, ("refund", "osaka")),
    ("attribute values", {"attributes": (AttributeCriterion("customerTier", ("silver", "bronze")),)},
     ("billing", "deleted")),
    ("combined", {"channels": ("VOICE",), "agent_ids": ("sa",), "transcript": words("refund"),
                  "has_recording": True, "sentiment": SentimentCriterion("CUSTOMER", "SCORE", max=0)}, ("refund",)),
    ("combined, none left", {"channels": ("VOICE",), "queue_ids": ("q-support",), "transcript": words("refund")}, ()),
]  # fmt: skip


PERSONAS = ("sales_mgr", "osaka_mgr", "qa", "agent_sa", "searcher")


@pytest.mark.parametrize(("criteria", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_filter_finds_exactly_its_contacts_within_every_scope(search_world, criteria, expected):
    everything = found(search_world.users.admin, **criteria)
    assert everything == named(search_world, *expected)
    for persona in PERSONAS:
        user = getattr(search_world.users, persona)
        assert found(user, **criteria) == everything & visible(user), persona


def test_restricted_manager_never_sees_another_branch_by_contact_id_or_phone(search_world):
    w = search_world
    osaka = w.calls["osaka"]
    assert found(w.users.sales_mgr, contact_id=osaka.contact_id) == set()
    assert found(w.users.osaka_mgr, contact_id=osaka.contact_id) == {osaka.contact_id}
    # The Osaka contact shares the customer's number with Sales contacts; only Sales ones come back.
    assert osaka.contact_id not in found(w.users.sales_mgr, customer_phone="+81312345678")
    assert found(w.users.osaka_mgr, customer_phone="+81312345678") == {osaka.contact_id}


def test_nobody_without_search_permission_finds_anything(search_world):
    assert found(search_world.users.nobody) == set()


def test_attribute_criteria_match_all_and_any(search_world):
    w = search_world
    SearchableAttributeKey.objects.create(key="accountNumber")
    tier_gold = AttributeCriterion("customerTier", ("gold",))
    account = AttributeCriterion("accountNumber", ("ACC-1",))
    admin = w.users.admin
    assert found(admin, attributes=(tier_gold, account), attributes_match="MATCH_ALL") == named(w, "refund")
    assert found(admin, attributes=(tier_gold, account), attributes_match="MATCH_ANY") == named(w, "refund", "osaka")
    assert found(admin, attributes=(AttributeCriterion("customerTier", ("GOLD",)),)) == set()  # values are exact


def test_phone_number_in_any_common_format(search_world):
    from search.criteria import phone_e164

    w = search_world
    for spelling in ("090-1111-2222", "+81 90 1111 2222", "(090) 1111-2222", "tel:+819011112222"):
        assert found(w.users.admin, customer_phone=phone_e164(spelling, "phone")) == named(w, "billing")


def test_phrase_and_loose_words_terms(search_world):
    w = search_world
    admin = w.users.admin
    assert found(admin, transcript=(TextCriterion((), (Term("cancel my account", phrase=True),)),)) == named(
        w, "refund"
    )
    assert found(admin, transcript=(TextCriterion((), (Term("account cancel", phrase=True),)),)) == set()
    assert found(admin, transcript=(TextCriterion((), (Term("account cancel"),)),)) == named(w, "refund")


UNSORTABLE_LAST = ("no_agent", "task", "deleted", "old")  # no value: last in both directions


@pytest.mark.parametrize(
    ("sort", "order", "first", "last"),
    [
        ("INITIATION_TIMESTAMP", "DESCENDING", "deleted", ("old",)),
        ("INITIATION_TIMESTAMP", "ASCENDING", "old", ("deleted",)),
        ("DURATION", "DESCENDING", "task", ("no_agent",)),
        ("DURATION", "ASCENDING", "no_agent", ("task",)),
        ("CUSTOMER_SENTIMENT", "DESCENDING", "billing", UNSORTABLE_LAST),
        ("CUSTOMER_SENTIMENT", "ASCENDING", "refund", UNSORTABLE_LAST),
        ("SCHEDULED_TIMESTAMP", "DESCENDING", "task", ALL_RECENT),
    ],
)
def test_sorting(search_world, sort, order, first, last):
    w = search_world
    criteria = SearchCriteria(sort_field=sort, sort_order=order)
    rows = contact_search(user=w.users.admin, criteria=criteria, page_size=100).contacts
    assert rows[0].contact_id == w.calls[first].contact_id
    assert rows[-1].contact_id in named(w, *last, "old")
    if sort == "CUSTOMER_SENTIMENT":
        assert {c.contact_id for c in rows[-4:]} == named(w, *UNSORTABLE_LAST)


@pytest.mark.parametrize(("order", "reverse"), [("ASCENDING", False), ("DESCENDING", True)])
def test_sorting_by_channel_and_initiation_method(search_world, order, reverse):
    user = search_world.users.admin
    for sort, attribute in (("CHANNEL", "channel"), ("INITIATION_METHOD", "initiation_method")):
        rows = contact_search(user=user, criteria=SearchCriteria(sort_field=sort, sort_order=order), page_size=100)
        values = [getattr(c, attribute) for c in rows.contacts]
        assert values == sorted(values, reverse=reverse)
        assert len(set(values)) > 1


@pytest.mark.parametrize(
    "sort", ["INITIATION_TIMESTAMP", "DURATION", "CHANNEL", "INITIATION_METHOD", "CUSTOMER_SENTIMENT",
             "AGENT_SENTIMENT", "SCHEDULED_TIMESTAMP", "CONNECTED_TO_AGENT_TIMESTAMP", "ENQUEUE_TIMESTAMP"],
)  # fmt: skip
@pytest.mark.parametrize("order", ["ASCENDING", "DESCENDING"])
def test_keyset_pages_cover_the_sorted_results_exactly_once(search_world, sort, order):
    user = search_world.users.admin
    criteria = SearchCriteria(sort_field=sort, sort_order=order)
    whole = [c.contact_id for c in contact_search(user=user, criteria=criteria, page_size=100).contacts]
    paged, token = [], None
    while True:
        page = contact_search(user=user, criteria=criteria, page_size=2, page_token=token)
        paged += [c.contact_id for c in page.contacts]
        assert page.total_count == len(whole)
        token = page.next_token
        if not token:
            break
    assert paged == whole


@pytest.mark.parametrize("sort", list(_SORT_COLUMNS))
@pytest.mark.parametrize("order", ["ASCENDING", "DESCENDING"])
def test_every_sort_is_the_values_order_with_missing_values_last(search_world, sort, order, settings):
    """The whole order, against the values themselves: by value then id, both reversed
    for descending, and contacts without a value last either way, by id in the same
    direction. The page and the export read it the same way."""
    user = search_world.users.admin
    criteria = SearchCriteria(sort_field=sort, sort_order=order)
    path, descending = _SORT_COLUMNS[sort], order == "DESCENDING"
    start = timezone.now() - timedelta(days=settings.CONTACT_RETENTION_DAYS)  # the search's default range
    contacts = list(Contact.objects.visible_to(user).filter(initiation_ts__gte=start))
    assert len(contacts) > 5

    def value(contact):
        target = contact
        for part in path.split("__"):
            target = getattr(target, part, None) if target is not None else None
        return target

    valued = sorted((c for c in contacts if value(c) is not None), key=lambda c: (value(c), c.pk), reverse=descending)
    missing = sorted((c for c in contacts if value(c) is None), key=lambda c: c.pk, reverse=descending)
    expected = [c.contact_id for c in valued + missing]
    assert [c.contact_id for c in contact_search(user=user, criteria=criteria, page_size=100).contacts] == expected
    assert [c.contact_id for c in contact_export_rows(user=user, criteria=criteria)] == expected
    assert [c.contact_id for c in contact_export_rows(user=user, criteria=criteria, limit=3)] == expected[:3]


def test_total_count_is_capped(search_world, settings):
    settings.SEARCH_RESULT_CAP = 4
    user = search_world.users.admin
    first = contact_search(user=user, criteria=SearchCriteria(), page_size=3)
    assert (first.total_count, first.total_capped) == (4, True)
    second = contact_search(user=user, criteria=SearchCriteria(), page_size=3, page_token=first.next_token)
    assert len(second.contacts) == 1 and second.next_token is None  # no results past the cap
    exact = contact_search(user=user, criteria=SearchCriteria(channels=("VOICE",)), page_size=2)
    assert (exact.total_count, exact.total_capped) == (4, True)
    small = contact_search(user=user, criteria=SearchCriteria(channels=("CHAT",)), page_size=2)
    assert (small.total_count, small.total_capped) == (1, False)


ANALYSIS_CASES = [
    {"sentiment": SentimentCriterion("AGENT", "SHIFT", begin_min=-5, begin_max=-1, end_min=1, end_max=5)},
    {"sentiment": SentimentCriterion("CUSTOMER", "SHIFT", begin_min=-5, begin_max=-1, end_min=1, end_max=5)},
    {"sentiment": SentimentCriterion("AGENT", "SCORE", min=-5, max=5)},
    {"sentiment": SentimentCriterion("CUSTOMER", "SCORE", min=-5, max=5)},
    {"non_talk": NonTalkCriterion(min_ms=1, max_ms=2, min_percent=1, max_percent=2)},
    {"interruptions_min": 1, "interruptions_max": 2},
    *[{"categories": CategoryCriterion(("Billing",), match)} for match in ("MATCH_ANY", "MATCH_ALL", "MATCH_NONE")],
]


@pytest.mark.parametrize("criteria", ANALYSIS_CASES)
def test_analysis_filters_read_only_columns_of_the_covering_index(criteria):
    # A column missing from the index turns every per-contact analysis lookup of a
    # count into a table visit as well.
    from search.models import ANALYSIS_FILTERED, ContactAnalysis
    from search.selectors.filters import _analysis_conditions

    sql = str(ContactAnalysis.objects.filter(_analysis_conditions(SearchCriteria(**criteria))).values("pk").query)
    where = sql.split(" WHERE ", 1)[1]
    read = set(re.findall(r'"search_contactanalysis"\."(\w+)"', where))
    assert read and read <= set(ANALYSIS_FILTERED)


def test_row_queries_run_without_parallel_workers_and_counts_with_them(search_world):
    """A page stops after its rows, so starting workers never pays for it; a count may
    read far, so it gets the server's setting back, and so does what follows it."""
    from django.db import connection

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')")
            return cursor.fetchone()[0]

    seen = []

    def observe(execute, sql, params, many, context):
        if sql.startswith(('SELECT "search_contact"', "SELECT COUNT(*)")):
            seen.append(("count" if sql.startswith("SELECT COUNT") else "rows", setting()))
        return execute(sql, params, many, context)

    server = setting()
    assert server != "0"
    with connection.execute_wrapper(observe):
        page = contact_search(user=search_world.users.admin, criteria=SearchCriteria(), page_size=1)
    assert page.total_count > 1
    assert seen == [("rows", "0"), ("count", server)]
    assert setting() == server
