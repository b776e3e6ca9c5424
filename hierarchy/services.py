"""Writes to the agent hierarchy: synchronising users and groups from Amazon Connect.

Connect is the source of truth for its users and hierarchy groups. Contacts are not
touched: each keeps the hierarchy its agent had when it was handled. Portal users
linked to a Connect agent follow that agent's current group, as in Connect, where the
viewer's own group decides what a restricted user sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from hierarchy.models import MAX_LEVELS, Agent, HierarchyGroup
from portal.audit.services import audit_record

_PATH_KEYS = ("LevelOne", "LevelTwo", "LevelThree", "LevelFour", "LevelFive")[:MAX_LEVELS]


@dataclass
class SyncResult:
    groups: int = 0
    agents: int = 0
    portal_users_moved: int = 0


def arn_id(arn: str) -> str:
    """Connect's id is the last part of an ARN."""
    return arn.rsplit("/", 1)[-1]


def connect_client(region: str | None = None):
    """A boto3 client for Connect's control plane, with retries for its low rate limits."""
    import boto3
    from botocore.config import Config

    arn = settings.CONNECT_INSTANCE_ARN
    region = region or (arn.split(":")[3] if arn.count(":") >= 5 else settings.AWS_REGION)
    config = Config(retries={"mode": "standard", "max_attempts": 8}, connect_timeout=5, read_timeout=30)
    return boto3.client("connect", region_name=region, config=config)


def _pages(client, operation: str, key: str, instance_id: str) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator(operation).paginate(InstanceId=instance_id):
        yield from page.get(key, [])


def _upsert_group(entry: dict[str, Any], level: int, parent: HierarchyGroup | None) -> HierarchyGroup:
    group, _ = HierarchyGroup.objects.update_or_create(
        group_id=entry["Id"],
        defaults={"arn": entry.get("Arn", ""), "name": entry.get("Name", ""), "level": level, "parent": parent},
    )
    return group


def _sync_group(client, instance_id: str, group_id: str) -> None:
    described = client.describe_user_hierarchy_group(HierarchyGroupId=group_id, InstanceId=instance_id)
    path = described["HierarchyGroup"].get("HierarchyPath") or {}
    parent = None
    # Every ancestor is written too, so a parent exists whatever order Connect lists groups in.
    for level, key in enumerate(_PATH_KEYS, start=1):
        entry = path.get(key)
        if not entry:
            break
        parent = _upsert_group(entry, level, parent)


def _move_linked_users(agent: Agent) -> int:
    from portal.accounts.models import User

    moved = 0
    for user in User.objects.filter(agent=agent).exclude(hierarchy_group=agent.hierarchy_group):
        before = user.hierarchy_group.group_id if user.hierarchy_group else None
        user.hierarchy_group = agent.hierarchy_group
        user.save(update_fields=["hierarchy_group"])
        audit_record(
            action="group_change",
            contact_id="",
            details={"user": user.username, "source": "sync_connect", "before": before,
                     "after": agent.hierarchy_group.group_id if agent.hierarchy_group else None},
        )  # fmt: skip
        moved += 1
    return moved


def _sync_user(client, instance_id: str, user_id: str) -> int:
    described = client.describe_user(UserId=user_id, InstanceId=instance_id)["User"]
    identity = described.get("IdentityInfo") or {}
    group_id = described.get("HierarchyGroupId")
    group = HierarchyGroup.objects.filter(group_id=group_id).first() if group_id else None
    agent, _ = Agent.objects.update_or_create(
        agent_id=described["Id"],
        defaults={
            "arn": described.get("Arn", ""),
            "username": described.get("Username", ""),
            "first_name": identity.get("FirstName") or "",
            "last_name": identity.get("LastName") or "",
            "hierarchy_group": group,
        },
    )
    return _move_linked_users(agent)


def connect_sync(client, instance_id: str) -> SyncResult:
    """Upsert every hierarchy group and user of a Connect instance. Safe to run again."""
    result = SyncResult()
    for summary in _pages(client, "list_user_hierarchy_groups", "UserHierarchyGroupSummaryList", instance_id):
        with transaction.atomic():
            _sync_group(client, instance_id, summary["Id"])
        result.groups += 1
    for summary in _pages(client, "list_users", "UserSummaryList", instance_id):
        with transaction.atomic():
            result.portal_users_moved += _sync_user(client, instance_id, summary["Id"])
        result.agents += 1
    return result
