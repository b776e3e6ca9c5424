"""Reads of the audit log: filtered events and the login/logout report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from portal.audit.models import AuditEvent

SESSION_ACTIONS = ("login", "logout")


def audit_events(
    *,
    user: str = "",
    action: str = "",
    contact_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Newest first. `user` matches the username recorded at the time, exactly."""
    query = Q()
    if user:
        query &= Q(actor_username__iexact=user)
    if action:
        query &= Q(action=action)
    if contact_id:
        query &= Q(contact_id=contact_id)
    if since:
        query &= Q(at__gte=since)
    if until:
        query &= Q(at__lt=until)
    return AuditEvent.objects.filter(query).order_by("-at", "-id")


def known_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


@dataclass(frozen=True)
class LoginSession:
    username: str
    login_at: datetime
    logout_at: datetime | None
    ip_address: str | None

    @property
    def duration(self) -> timedelta | None:
        return self.logout_at - self.login_at if self.logout_at else None


def login_sessions(
    *, user: str = "", since: datetime | None = None, until: datetime | None = None
) -> list[LoginSession]:
    """Sessions that began in [since, until), newest first. A session without a logout
    event ended by idle expiry or is still open: its logout is unknown."""
    logins = audit_events(user=user, action="login", since=since, until=until)
    logouts = audit_events(user=user, action="logout", since=since).order_by("at", "id")
    return list(_pair(logins.order_by("at", "id"), logouts))[::-1]


def _pair(logins: Iterable[AuditEvent], logouts: Iterable[AuditEvent]) -> Iterator[LoginSession]:
    """Match each login with the logout carrying the same session mark, or failing that
    the user's next logout before their next login."""
    by_session = {}
    by_user: dict[str, list[AuditEvent]] = {}
    for event in logouts:
        mark = event.details.get("session")
        if mark:
            by_session[mark] = event
        by_user.setdefault(event.actor_username, []).append(event)
    logins = list(logins)
    for index, login in enumerate(logins):
        logout = by_session.get(login.details.get("session") or "")
        if logout is None:
            later = next((e.at for e in logins[index + 1 :] if e.actor_username == login.actor_username), None)
            logout = next(
                (
                    e
                    for e in by_user.get(login.actor_username, [])
                    if e.at >= login.at and (later is None or e.at < later)
                ),
                None,
            )
        yield LoginSession(login.actor_username, login.at, logout.at if logout else None, login.ip_address)
