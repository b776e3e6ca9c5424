"""The scope and initiation time copied onto search documents stay equal to their
contact's, whichever arrives first and whatever changes later."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from search.models import Contact, ContactAnalysis, TranscriptSearchDoc
from search.retention import contacts_purge_expired
from tests.factories import group_path, make_agent, make_contact, make_group

pytestmark = pytest.mark.django_db

COPIED = ("agent_id", "hierarchy_l1", "hierarchy_l2", "hierarchy_l3", "hierarchy_l4", "hierarchy_l5", "initiation_ts")


def write_document(contact_id: str, customer: str = "I would like a refund") -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_transcriptsearchdoc (contact_id, version, document) "
            "VALUES (%s, 'REDACTED', portal_fts_document('', %s, ''))",
            [contact_id, customer],
        )


def write_analysis(contact_id: str) -> ContactAnalysis:
    return ContactAnalysis.objects.create(contact_id=contact_id, channel="VOICE", bucket="b")


def copies(contact_id: str) -> tuple:
    return TranscriptSearchDoc.objects.filter(contact_id=contact_id).values_list(*COPIED).get()


def contact_values(contact_id: str) -> tuple:
    return Contact.objects.filter(contact_id=contact_id).values_list(*COPIED).get()


def assert_in_step(contact_id: str) -> None:
    assert copies(contact_id) == contact_values(contact_id)


@pytest.fixture
def branch():
    tokyo = make_group("Tokyo", level=1)
    sales = make_group("Sales", level=2, parent=tokyo)
    support = make_group("Support", level=2, parent=tokyo)
    return tokyo, sales, support


def test_a_document_written_before_its_contact_are_filled_when_it_arrives(branch):
    _, sales, _ = branch
    contact_id = str(uuid.uuid4())
    write_document(contact_id)
    assert copies(contact_id) == (None,) * len(COPIED)

    make_contact(agent=make_agent("sa", group=sales), contact_id=contact_id)

    assert copies(contact_id)[2] == sales.group_id
    assert_in_step(contact_id)


def test_a_document_written_after_its_contact_is_filled_at_once(branch):
    contact = make_contact(agent=make_agent("sa", group=branch[1]))
    write_document(contact.contact_id)
    assert_in_step(contact.contact_id)


def test_bulk_merge_of_contacts_fills_and_moves_copies(branch):
    """The ingest writer's shape: INSERT ... SELECT ... ON CONFLICT DO UPDATE, many rows."""
    tokyo, sales, support = branch
    agent = make_agent("sa", group=sales)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for contact_id in ids:
        write_document(contact_id)
    merge = """
        INSERT INTO search_contact (contact_id, initial_contact_id, previous_contact_id, next_contact_id, channel,
            initiation_method, disconnect_reason, initiation_ts, last_update_ts, agent_id, hierarchy_l1,
            hierarchy_l2, hierarchy_names, language_locale, redaction_policy, legal_hold, legal_hold_reason,
            created_at, updated_at)
        SELECT id, '', '', '', 'VOICE', 'INBOUND', '', %(started)s, %(updated)s, %(agent)s, %(l1)s, %(l2)s, '[]',
            '', '', false, '', now(), now()
        FROM unnest(%(ids)s::text[]) AS id
        ON CONFLICT (contact_id) DO UPDATE SET initiation_ts = EXCLUDED.initiation_ts,
            last_update_ts = EXCLUDED.last_update_ts, hierarchy_l2 = EXCLUDED.hierarchy_l2
        WHERE search_contact.last_update_ts < EXCLUDED.last_update_ts
    """
    started = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    values = {"ids": ids, "agent": agent.pk, "l1": tokyo.group_id, "l2": sales.group_id}
    with connection.cursor() as cursor:
        cursor.execute(merge, {**values, "started": started, "updated": started})
        for contact_id in ids:
            assert_in_step(contact_id)
        later = started + timedelta(hours=1)
        cursor.execute(merge, {**values, "l2": support.group_id, "started": later, "updated": later})
    for contact_id in ids:
        assert copies(contact_id)[2] == support.group_id
        assert copies(contact_id)[6] == later
        assert_in_step(contact_id)


def test_hierarchy_agent_and_start_changes_follow_the_contact(branch):
    _, sales, support = branch
    contact = make_contact(agent=make_agent("sa", group=sales))
    write_document(contact.contact_id)
    mover = make_agent("mover", group=support)

    Contact.objects.filter(pk=contact.pk).update(
        agent=mover, hierarchy_l2=support.group_id, initiation_ts=contact.initiation_ts - timedelta(days=1)
    )
    assert_in_step(contact.contact_id)

    contact.refresh_from_db()
    contact.hierarchy_l3 = "g-new-team"
    contact.save()
    assert copies(contact.contact_id)[3] == "g-new-team"
    assert_in_step(contact.contact_id)


def test_a_deleted_agent_leaves_the_copies_without_one(branch):
    agent = make_agent("gone", group=branch[1])
    contact = make_contact(agent=agent)
    write_document(contact.contact_id)
    agent.delete()
    assert copies(contact.contact_id)[0] is None
    assert copies(contact.contact_id) == contact_values(contact.contact_id)


def test_a_stale_copy_written_back_is_corrected(branch):
    _, sales, support = branch
    contact = make_contact(agent=make_agent("sa", group=sales))
    write_document(contact.contact_id)
    document = TranscriptSearchDoc.objects.get(contact_id=contact.contact_id)
    document.hierarchy_l2 = support.group_id
    document.agent_id = None
    document.save()
    assert_in_step(contact.contact_id)


def test_a_deleted_contact_leaves_null_copies(branch):
    contact = make_contact(agent=make_agent("sa", group=branch[1]))
    write_document(contact.contact_id)
    Contact.objects.filter(pk=contact.pk).delete()
    assert copies(contact.contact_id) == (None,) * len(COPIED)


def test_retention_purge_removes_contacts_with_their_rows(branch, settings):
    old = make_contact(
        agent=make_agent("sa", group=branch[1]),
        initiation_ts=datetime.now(UTC) - timedelta(days=settings.CONTACT_RETENTION_DAYS + 5),
    )
    kept = make_contact(agent=make_agent("sb", group=branch[1]))
    for contact in (old, kept):
        write_analysis(contact.contact_id)
        write_document(contact.contact_id)

    assert contacts_purge_expired() == 1

    assert not TranscriptSearchDoc.objects.filter(contact_id=old.contact_id).exists()
    assert not ContactAnalysis.objects.filter(contact_id=old.contact_id).exists()
    assert_in_step(kept.contact_id)


def test_an_unchanged_contact_update_rewrites_no_copy(branch):
    contact = make_contact(agent=make_agent("sa", group=branch[1]))
    write_document(contact.contact_id)

    def version() -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ctid::text FROM search_transcriptsearchdoc WHERE contact_id = %s", [contact.contact_id]
            )
            return cursor.fetchone()[0]

    before = version()
    Contact.objects.filter(pk=contact.pk).update(duration_seconds=999, legal_hold=True)
    assert version() == before


def test_copies_of_ingested_contacts_equal_their_contacts(search_world):
    documents = TranscriptSearchDoc.objects.values_list("contact_id", *COPIED)
    assert len(documents) >= 5
    for contact_id, *copied in documents:
        assert tuple(copied) == contact_values(contact_id)


def test_group_path_of_contacts_is_copied_at_every_level(branch):
    tokyo, sales, _ = branch
    team = make_group("Sales A", level=3, parent=sales)
    contact = make_contact(agent=make_agent("sa", group=team))
    write_document(contact.contact_id)
    assert copies(contact.contact_id)[1:4] == tuple(g.group_id for g in group_path(team))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["move", "delete"])
def test_a_copy_left_stale_by_concurrent_writes_is_repaired(branch, change):
    """The one race the triggers leave: a document inserted while another transaction
    moves (or deletes) its contact reads the contact as it was, and that transaction's
    push cannot see the document yet. Both commit; the periodic repair brings the copy
    back in step, and leaves alone a document still waiting for its contact."""
    import psycopg

    from search.scope_copies import scope_copies_repair
    from search.tasks import repair_scope_copies

    _, sales, support = branch
    contact = make_contact(agent=make_agent("sa", group=sales))
    mover = make_agent("mover", group=support)
    params = connection.get_connection_params()
    with psycopg.connect(**params) as changing, psycopg.connect(**params) as writing:
        if change == "move":
            changing.execute(
                "UPDATE search_contact SET agent_id = %s, hierarchy_l2 = %s WHERE id = %s",
                [mover.pk, support.group_id, contact.pk],
            )
        else:
            changing.execute("DELETE FROM search_contact WHERE id = %s", [contact.pk])
        writing.execute(
            "INSERT INTO search_transcriptsearchdoc (contact_id, version, document) "
            "VALUES (%s, 'REDACTED', portal_fts_document('', 'a refund', ''))",
            [contact.contact_id],
        )
        writing.commit()
        changing.commit()
    waiting = str(uuid.uuid4())
    write_document(waiting)

    assert copies(contact.contact_id)[2] == sales.group_id  # the race is real: the copy is stale

    assert scope_copies_repair() == 1
    if change == "move":
        assert_in_step(contact.contact_id)
        assert copies(contact.contact_id)[2] == support.group_id
    else:
        assert copies(contact.contact_id) == (None,) * len(COPIED)
    assert copies(waiting) == (None,) * len(COPIED)
    assert repair_scope_copies() == 0  # nothing left; in-step rows are not rewritten


def test_the_repair_runs_every_hour():
    from portal.celery import app

    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert "search.tasks.repair_scope_copies" in schedule
    assert schedule["search.tasks.repair_scope_copies"].minute == {40}
