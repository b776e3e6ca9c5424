"""Which filters a user may use: one rule for page and API. A filter the user may not
use is not on the page, is refused when typed into the URL, and is a 403 naming the
missing permission in the API."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from portal.accounts import permissions as p
from portal.accounts.tokens import token_create
from search.criteria import (
    AttributeCriterion,
    CategoryCriterion,
    CriteriaError,
    NonTalkCriterion,
    SearchCriteria,
    SearchPermissionDenied,
    SentimentCriterion,
    Term,
    TextCriterion,
    criteria_check_permissions,
)
from tests.factories import make_user
from tests.search.conftest import mfa

pytestmark = pytest.mark.django_db

RANGE = {"Type": "INITIATION_TIMESTAMP", "StartTime": "2026-09-01T00:00:00Z", "EndTime": "2026-12-01T00:00:00Z"}
WORDS = {"ContactAnalysis": {"Transcript": {"Criteria": [
    {"ParticipantRole": "CUSTOMER", "SearchText": ["refund"], "MatchType": "MATCH_ALL"}]}}}  # fmt: skip
ATTRIBUTES = {"SearchableContactAttributes": {"Criteria": [{"Key": "customerTier", "Values": ["gold"]}]}}

# (filter, API criteria, page query, permission it needs)
GATED = [
    ("agent", {"AgentIds": ["sa"]}, "agent=sa", p.USERS_VIEW),
    ("keywords", WORDS, "keywords=refund", p.SEARCH_KEYWORDS),
    ("sentiment", {"Sentiment": {"ParticipantRole": "CUSTOMER", "Max": 0}}, "sentiment_max=0",
     p.SEARCH_CHARACTERISTICS),
    ("non-talk", {"NonTalkTime": {"MinMillis": 1000}}, "non_talk_min_seconds=1", p.SEARCH_CHARACTERISTICS),
    ("interruptions", {"Interruptions": {"Min": 1}}, "interruptions_min=1", p.SEARCH_CHARACTERISTICS),
    ("categories", {"Categories": {"Names": ["Billing"]}}, "categories=Billing", p.SEARCH_CHARACTERISTICS),
    ("attributes", ATTRIBUTES, "attr_key_1=customerTier&attr_value_1=gold", p.CONTACT_ATTRIBUTES),
]  # fmt: skip
# Everything a search page offers, except the permission under test.
FULL = [p.CONTACT_SEARCH, p.USERS_VIEW, p.SEARCH_KEYWORDS, p.SEARCH_CHARACTERISTICS, p.CONTACT_ATTRIBUTES]


def api(user, criteria: dict):
    token = token_create(user=user)
    body = json.dumps({"TimeRange": RANGE, "SearchCriteria": criteria})
    return Client().post("/api/v1/search-contacts", body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip


def page(user, query: str = ""):
    client = Client()
    client.force_login(user)
    return client.get(f"/?{query}")


@pytest.mark.parametrize(("criteria", "permission"), [(g[1], g[3]) for g in GATED], ids=[g[0] for g in GATED])
def test_api_refuses_a_filter_with_403_naming_the_permission(search_world, criteria, permission):
    user = make_user("limited", permissions=[name for name in FULL if name != permission])
    response = api(user, criteria)
    assert response.status_code == 403
    assert response.json()["Type"] == "AccessDeniedException"
    assert response["x-amzn-ErrorType"] == "AccessDeniedException"
    assert permission in response.json()["Message"]
    allowed = make_user("allowed", permissions=FULL)
    assert api(allowed, criteria).status_code == 200


@pytest.mark.parametrize(("query", "permission"), [(g[2], g[3]) for g in GATED], ids=[g[0] for g in GATED])
def test_page_refuses_a_filter_typed_into_the_url(search_world, query, permission):
    user = make_user("limited", permissions=[name for name in FULL if name != permission])
    response = page(user, query)
    assert response.status_code == 403
    assert permission in response.content.decode()
    assert search_world.calls["refund"].contact_id not in response.content.decode()
    assert page(make_user("allowed", permissions=FULL), query).status_code == 200


def test_filters_a_user_may_not_use_are_not_on_the_page(search_world):
    w = search_world
    full = page(w.users.admin).content.decode()
    for field in ('name="keywords"', 'name="sentiment_min"', 'name="categories"', 'name="attr_key_1"', 'name="agent"'):
        assert field in full, field
    agent_page = page(w.users.agent_sa).content.decode()  # Agent profile: own contacts, no search filters
    for field in ('name="keywords"', 'name="sentiment_min"', 'name="categories"', 'name="attr_key_1"', 'name="agent"'):
        assert field not in agent_page, field
    qa_page = page(w.users.qa).content.decode()  # keywords and characteristics, no attributes or agents
    assert 'name="keywords"' in qa_page and 'name="sentiment_min"' in qa_page
    assert 'name="attr_key_1"' not in qa_page and 'name="agent"' not in qa_page


def test_search_itself_needs_contact_search_or_my_contacts(search_world):
    w = search_world
    response = api(w.users.nobody, {})
    assert response.status_code == 403 and p.CONTACT_SEARCH in response.json()["Message"]
    assert page(w.users.nobody).status_code == 403
    assert api(w.users.agent_sa, {}).status_code == 200  # MyContacts.View


def test_attributes_only_on_searchable_keys(search_world):
    w = search_world
    criteria = {"SearchableContactAttributes": {"Criteria": [{"Key": "accountNumber", "Values": ["ACC-1"]}]}}
    response = api(w.users.admin, criteria)
    assert response.status_code == 400
    assert response.json()["Type"] == "InvalidParameterException" and "accountNumber" in response.json()["Message"]
    assert page(w.users.admin, "attr_key_1=accountNumber&attr_value_1=ACC-1").status_code == 400
    from search.models import SearchableAttributeKey

    SearchableAttributeKey.objects.create(key="accountNumber")
    response = api(w.users.admin, criteria)
    assert response.status_code == 200
    assert [c["Id"] for c in response.json()["Contacts"]] == [w.calls["refund"].contact_id]


def test_unredacted_users_must_have_mfa_for_the_api(search_world):
    manager = make_user("no-mfa", profiles=["CallCenterManager"])
    assert api(manager, {}).status_code == 403
    assert api(mfa(manager), {}).status_code == 200


@pytest.mark.parametrize(
    ("criteria", "permission"),
    [
        (SearchCriteria(agent_ids=("x",)), p.USERS_VIEW),
        (SearchCriteria(transcript=(TextCriterion((), (Term("x"),)),)), p.SEARCH_KEYWORDS),
        (SearchCriteria(sentiment=SentimentCriterion("AGENT", max=1)), p.SEARCH_CHARACTERISTICS),
        (SearchCriteria(non_talk=NonTalkCriterion(min_ms=1)), p.SEARCH_CHARACTERISTICS),
        (SearchCriteria(interruptions_max=1), p.SEARCH_CHARACTERISTICS),
        (SearchCriteria(categories=CategoryCriterion(("x",))), p.SEARCH_CHARACTERISTICS),
        (SearchCriteria(attributes=(AttributeCriterion("customerTier", ("x",)),)), p.CONTACT_ATTRIBUTES),
    ],
)
def test_the_one_permission_rule(db, criteria, permission):
    from search.models import SearchableAttributeKey

    SearchableAttributeKey.objects.create(key="customerTier")
    for base in (p.CONTACT_SEARCH, p.MY_CONTACTS):
        user = make_user(f"u-{base}", permissions=[base])
        with pytest.raises(SearchPermissionDenied) as refused:
            criteria_check_permissions(user, criteria)
        assert refused.value.permission == permission
        granted = make_user(f"g-{base}", permissions=[base, permission])
        criteria_check_permissions(granted, criteria)
    without_search = make_user("no-search", permissions=[permission])
    with pytest.raises(SearchPermissionDenied) as refused:
        criteria_check_permissions(without_search, criteria)
    assert refused.value.permission == p.CONTACT_SEARCH


def test_unsearchable_key_is_an_invalid_parameter(db):
    user = make_user("u", permissions=[p.CONTACT_SEARCH, p.CONTACT_ATTRIBUTES])
    with pytest.raises(CriteriaError):
        criteria_check_permissions(user, SearchCriteria(attributes=(AttributeCriterion("secret", ("x",)),)))
