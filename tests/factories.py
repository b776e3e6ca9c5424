"""Small factories for access, search and recording tests."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from hierarchy.models import Agent, HierarchyGroup
from portal.accounts.models import SecurityProfile, User
from search.models import Contact

_counter = itertools.count(1)


def make_group(name: str, *, level: int, parent: HierarchyGroup | None = None, group_id: str = "") -> HierarchyGroup:
    return HierarchyGroup.objects.create(group_id=group_id or str(uuid.uuid4()), name=name, level=level, parent=parent)


def make_agent(username: str, *, group: HierarchyGroup | None = None) -> Agent:
    return Agent.objects.create(agent_id=str(uuid.uuid4()), username=username, hierarchy_group=group)


def group_path(group: HierarchyGroup | None) -> list[HierarchyGroup]:
    path = []
    while group is not None:
        path.insert(0, group)
        group = group.parent
    return path


def make_contact(*, agent: Agent | None = None, groups: list[HierarchyGroup] | None = None, **fields) -> Contact:
    """A contact handled by `agent`; its hierarchy snapshot is `groups` (default: the
    agent's current path), as Connect records it at the time of the contact."""
    if groups is None:
        groups = group_path(agent.hierarchy_group) if agent else []
    n = next(_counter)
    started = fields.pop("initiation_ts", datetime(2026, 11, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=n))
    values = {
        "contact_id": str(uuid.uuid4()),
        "channel": "VOICE",
        "initiation_method": "INBOUND",
        "initiation_ts": started,
        "disconnect_ts": started + timedelta(minutes=5),
        "last_update_ts": started + timedelta(minutes=6),
        "duration_seconds": 300,
        "agent": agent,
        "connected_to_agent_ts": started + timedelta(seconds=30) if agent else None,
        **{f"hierarchy_l{i + 1}": g.group_id for i, g in enumerate(groups)},
        "hierarchy_names": [g.name for g in groups],
    }
    values.update(fields)
    return Contact.objects.create(**values)


def make_user(
    username: str,
    *,
    profiles: list[str] = (),
    permissions: list[str] | None = None,
    group: HierarchyGroup | None = None,
    agent: Agent | None = None,
    password: str = "correct horse battery staple",
) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.com", password=password)
    user.hierarchy_group = group
    user.agent = agent
    user.save(update_fields=["hierarchy_group", "agent"])
    for name in profiles:
        user.security_profiles.add(SecurityProfile.objects.get(name=name))
    if permissions is not None:
        custom = SecurityProfile.objects.create(name=f"custom-{username}", permissions=list(permissions))
        user.security_profiles.add(custom)
    return user
