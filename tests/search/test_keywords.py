"""Words and phrases: English and Japanese, any/all, per participant, and only text the
user may read (redacted where it exists; the original only for contacts without a
redacted version, and only with unredacted transcript access)."""

from __future__ import annotations

import pytest

from search.criteria import (
    CriteriaError,
    SearchCriteria,
    Term,
    TextCriterion,
    parse_terms,
)
from search.models import TranscriptSearchDoc, TranscriptTurn
from search.selectors import contact_search

pytestmark = pytest.mark.django_db


def said(user, text: str, *roles: str, match: str = "MATCH_ANY") -> set[str]:
    criteria = SearchCriteria(transcript=(TextCriterion(tuple(roles), parse_terms(text), match),))
    return {c.contact_id for c in contact_search(user=user, criteria=criteria, page_size=100).contacts}


def named(world, *names: str) -> set[str]:
    return {world.calls[n].contact_id for n in names}


def test_a_word_anyone_said(search_world):
    w = search_world
    assert said(w.users.admin, "refund") == named(w, "refund", "billing", "osaka", "no_agent")


def test_case_and_width_do_not_matter(search_world):
    w = search_world
    assert said(w.users.admin, "REFUND") == said(w.users.admin, "Ｒｅｆｕｎｄ") == said(w.users.admin, "refund")


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (("CUSTOMER",), ("refund", "osaka")),
        (("AGENT",), ("billing",)),
        (("SYSTEM",), ("no_agent",)),
        (("AGENT", "CUSTOMER"), ("refund", "billing", "osaka")),
    ],
)
def test_per_participant(search_world, roles, expected):
    assert said(search_world.users.admin, "refund", *roles) == named(search_world, *expected)


def test_phrases_in_double_quotes(search_world):
    w = search_world
    admin = w.users.admin
    assert said(admin, '"cancel my account"') == named(w, "refund")
    assert said(admin, '"account my cancel"') == set()
    assert said(admin, '"cancel my account", invoice') == named(w, "refund", "billing")
    assert said(admin, '"cancel my account", invoice', match="MATCH_ALL") == set()


def test_match_any_and_all(search_world):
    w = search_world
    admin = w.users.admin
    assert said(admin, "invoice, hold") == named(w, "billing", "no_agent")
    assert said(admin, "invoice, hold", match="MATCH_ALL") == set()
    # Across participants: the customer wrote "invoice", the agent "refund".
    assert said(admin, "invoice, refund", match="MATCH_ALL") == named(w, "billing")
    assert said(admin, "invoice, refund", "CUSTOMER", match="MATCH_ALL") == set()


def test_api_criteria_combine_with_their_own_match_types(search_world):
    w = search_world
    criteria = SearchCriteria(
        transcript=(
            TextCriterion(("CUSTOMER",), (Term("invoice"),)),
            TextCriterion(("AGENT",), (Term("help"),)),
        ),
        transcript_match="MATCH_ANY",
    )
    found = {c.contact_id for c in contact_search(user=w.users.admin, criteria=criteria).contacts}
    assert found == named(w, "billing", "refund")
    both = SearchCriteria(transcript=criteria.transcript, transcript_match="MATCH_ALL")
    assert contact_search(user=w.users.admin, criteria=both).contacts == []


def test_a_word_only_in_the_original_of_a_redacted_contact_matches_for_nobody(search_world):
    w = search_world
    # "Smith" is the customer's name: in the original analysis only; the redacted one says [NAME].
    for user in (w.users.admin, w.users.qa, w.users.sales_mgr):
        assert said(user, "Smith") == set()
        assert said(user, "John Smith") == set()
    refund = w.calls["refund"].contact_id
    assert TranscriptSearchDoc.objects.get(contact_id=refund).version == "REDACTED"
    assert not TranscriptTurn.objects.filter(contact_id=refund, content__icontains="Smith").exists()


def test_japanese_word_inside_a_longer_run(search_world):
    w = search_world
    admin = w.users.admin
    assert said(admin, "解約") == named(w, "ja")  # 「契約を解約したいのですが」
    assert said(admin, "契約") == named(w, "ja", "ja_other")
    assert said(admin, "確認") == named(w, "ja_other")  # not 「解約」
    assert said(admin, '"解約したい"') == named(w, "ja")
    assert said(admin, "解約したくない") == set()


def test_japanese_per_participant_and_any_all(search_world):
    w = search_world
    admin = w.users.admin
    assert said(admin, "かしこまりました", "AGENT") == named(w, "ja")
    assert said(admin, "かしこまりました", "CUSTOMER") == set()
    assert said(admin, "解約, 確認") == named(w, "ja", "ja_other")
    assert said(admin, "契約, 確認", match="MATCH_ALL") == named(w, "ja_other")


def test_original_only_contacts_match_only_for_unredacted_readers(search_world):
    w = search_world
    # Contact Lens did not redact the Japanese calls, so only their original text is indexed.
    assert said(w.users.admin, "契約") == named(w, "ja", "ja_other")
    assert said(w.users.qa, "契約") == set()  # redacted access only
    assert said(w.users.sales_mgr, "契約") == named(w, "ja_other")  # unredacted, but only Sales
    assert said(w.users.qa, "refund") == named(w, "refund", "billing", "osaka", "no_agent")


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("refund", [Term("refund")]),
        ("refund, invoice", [Term("refund"), Term("invoice")]),
        ('"cancel my account", refund', [Term("cancel my account", phrase=True), Term("refund")]),
        ('"cancel, then refund"', [Term("cancel, then refund", phrase=True)]),
        ("  cancel   account ,, ", [Term("cancel account")]),
        ("解約, 返金", [Term("解約"), Term("返金")]),
    ],
)
def test_terms_are_comma_separated_with_quoted_phrases(text, terms):
    assert list(parse_terms(text)) == terms


@pytest.mark.parametrize("text", ["!!!", '""', "refund, ???"])
def test_terms_without_letters_are_refused(text):
    with pytest.raises(CriteriaError):
        parse_terms(text)


def test_documents_are_stored_with_one_lexeme_per_role(search_world):
    from django.db import connection

    refund = search_world.calls["refund"].contact_id
    document = TranscriptSearchDoc.objects.get(contact_id=refund).document
    assert "'b:refund'" in document and "'a:thank'" in document and "'c:recorded'" in document
    assert ":B" not in document  # no weights left for GIN to re-check
    with connection.cursor() as cursor:
        # A rewrite of a converted document (as an upsert does) changes nothing.
        cursor.execute("UPDATE search_transcriptsearchdoc SET document = document WHERE contact_id = %s", [refund])
    assert TranscriptSearchDoc.objects.get(contact_id=refund).document == document


def test_a_role_matches_only_its_own_words_in_phrases_and_prefixes(search_world):
    w = search_world
    admin = w.users.admin
    assert said(admin, '"get a refund"', "CUSTOMER") == named(w, "refund")
    assert said(admin, '"get a refund"', "AGENT") == set()
    assert said(admin, "解", "CUSTOMER") == named(w, "ja")
    assert said(admin, "解", "AGENT") == set()
