"""Keyword and Contact Lens searches return exactly the contacts each persona may see.

Keyword counts also narrow search documents by the scope copied onto them; the
contact's own scope must still decide, whatever those copies say."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.accounts import permissions as p
from search.criteria import SearchCriteria, SentimentCriterion, TextCriterion, parse_terms
from search.models import Contact, ContactAnalysis
from search.selectors import contact_search
from tests.factories import make_user

pytestmark = pytest.mark.django_db

RESTRICTED = [p.CONTACT_SEARCH, p.RESTRICT_BY_HIERARCHY, p.GRAPH_TRENDS]
BY_KEYWORD = SearchCriteria(transcript=(TextCriterion(("CUSTOMER",), parse_terms("refund"), "MATCH_ALL"),))
BY_SENTIMENT = SearchCriteria(sentiment=SentimentCriterion(role="CUSTOMER", kind="SCORE", max=-3))


@pytest.fixture
def said_and_scored(world):
    """Every contact's customer asked for a refund, unhappily."""
    for contact in Contact.objects.all():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_transcriptsearchdoc (contact_id, version, document) "
                "VALUES (%s, 'REDACTED', portal_fts_document('', 'I want a refund', ''))",
                [contact.contact_id],
            )
        ContactAnalysis.objects.create(
            contact_id=contact.contact_id, channel="VOICE", bucket="b", customer_sentiment=-4, redacted_key="k"
        )
    return world


def found(user, criteria: SearchCriteria) -> set[str]:
    """The page's contacts, checked against the count (which takes another path)."""
    page = contact_search(user=user, criteria=criteria, page_size=2)
    matching = {c.contact_id for c in contact_search(user=user, criteria=criteria, page_size=100).contacts}
    assert page.total_count == len(matching)
    return matching


def visible(user) -> set[str]:
    return set(Contact.objects.visible_to(user).values_list("contact_id", flat=True))


def personas(world) -> list:
    g, a = world.groups, world.agents
    return [
        make_user("boss", permissions=[p.CONTACT_SEARCH, p.GRAPH_TRENDS]),
        make_user("sales-mgr", permissions=RESTRICTED, group=g.sales),
        make_user("team-mgr", permissions=RESTRICTED, group=g.sales_b),
        make_user("tokyo-mgr", permissions=RESTRICTED, group=g.tokyo),
        make_user("hybrid", permissions=RESTRICTED, group=g.support, agent=a.os),
        make_user("nogroup-agent", permissions=RESTRICTED, agent=a.sb),
        make_user("mine", permissions=[p.MY_CONTACTS, p.GRAPH_TRENDS], agent=a.mover),
        make_user("nobody", permissions=[]),
    ]


@pytest.mark.parametrize("criteria", [BY_KEYWORD, BY_SENTIMENT], ids=["keyword", "sentiment"])
def test_each_persona_finds_exactly_what_it_may_see(said_and_scored, criteria):
    for user in personas(said_and_scored):
        assert found(user, criteria) == visible(user), user.username


def _rewrite_copies(sql: str) -> None:
    """Copies as only a race or a bug could leave them (the triggers set them otherwise)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_transcriptsearchdoc DISABLE TRIGGER scope_copy_fill")
        cursor.execute(sql)
        cursor.execute("ALTER TABLE search_transcriptsearchdoc ENABLE TRIGGER scope_copy_fill")


def test_copies_claiming_another_branch_reveal_nothing(said_and_scored):
    g = said_and_scored.groups
    _rewrite_copies(
        f"UPDATE search_transcriptsearchdoc SET hierarchy_l1 = '{g.tokyo.group_id}', "
        f"hierarchy_l2 = '{g.sales.group_id}', agent_id = {said_and_scored.agents.sa.pk}"
    )
    manager = make_user("sales-mgr", permissions=RESTRICTED, group=g.sales)
    assert found(manager, BY_KEYWORD) == visible(manager)


def test_documents_whose_contact_was_not_yet_seen_still_count(said_and_scored):
    _rewrite_copies(
        "UPDATE search_transcriptsearchdoc SET agent_id = NULL, hierarchy_l1 = NULL, hierarchy_l2 = NULL, "
        "hierarchy_l3 = NULL, initiation_ts = NULL"
    )
    for user in personas(said_and_scored):
        assert found(user, BY_KEYWORD) == visible(user), user.username
