"""The append-only audit log: database guards, retention purge, sign-in events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.services import audit_purge_expired, audit_record
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def insert_event_at(at, action: str = "search") -> int:
    # auto_now_add would overwrite `at`, and UPDATE is refused: write old rows directly.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_username, action, contact_id, details)"
            " VALUES (%s, 'someone', %s, '', '{}') RETURNING id",
            [at, action],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_raw_sql_update_and_delete_are_refused(sql):
    event = audit_record(action="contact_view", contact_id="c-1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.action == "contact_view"


def test_orm_update_and_delete_are_refused():
    event = audit_record(action="contact_view")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk, action="contact_view").exists()


def test_purge_deletes_only_rows_older_than_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = insert_event_at(now - timedelta(days=31))
    older = insert_event_at(now - timedelta(days=4000))
    recent = insert_event_at(now - timedelta(days=29))
    fresh = audit_record(action="login").pk

    assert audit_purge_expired(now=now) == 2
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {recent, fresh}
    assert not AuditEvent.objects.filter(pk__in=[old, older]).exists()


def test_purge_setting_does_not_outlive_its_transaction(settings):
    settings.AUDIT_RETENTION_DAYS = 1
    audit_purge_expired()
    kept = insert_event_at(timezone.now() - timedelta(days=400))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [kept])


def test_details_are_masked():
    event = audit_record(action="search", details={"CustomerPhoneNumber": "+81312345678", "note": "call 0312345678"})
    assert "12345" not in str(event.details)


def test_login_and_logout_are_recorded_with_one_session_mark(client):
    user = make_user("alice")
    response = client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})
    assert response.status_code == 302
    login = AuditEvent.objects.get(action="login")
    assert login.actor_id == user.pk and login.actor_username == "alice"
    assert login.ip_address == "127.0.0.1"

    client.post(reverse("account_logout"))
    logout = AuditEvent.objects.get(action="logout")
    assert logout.actor_username == "alice"
    assert logout.details["session"] == login.details["session"] != ""


def test_failed_login_is_recorded_without_the_password(client):
    make_user("bob")
    client.post(reverse("account_login"), {"login": "bob", "password": "wrong-password-123"})
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor is None
    assert event.details["login"] == "•••" and event.readable_details()["login"] == "bob"
    assert "wrong-password" not in str(event.details)


def test_mfa_enrolment_is_recorded():
    from allauth.mfa import signals
    from allauth.mfa.models import Authenticator

    user = make_user("carol")
    authenticator = Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    signals.authenticator_added.send(sender=Authenticator, request=None, user=user, authenticator=authenticator)
    signals.authentication_failed.send(sender=Authenticator, request=None, user=user, authenticator=authenticator)
    assert list(AuditEvent.objects.order_by("id").values_list("action", "details__authenticator")) == [
        ("mfa_added", "totp"),
        ("mfa_failed", "totp"),
    ]
