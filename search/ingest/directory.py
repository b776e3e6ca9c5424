"""Agents, hierarchy groups, queues and routing profiles named by contact records.

Worker processes collect what each object names (`DirectorySeen`, a few entries per
object rather than per record); the writing process turns Connect ids into portal
primary keys (`DirectoryCache`), upserting each entry once per run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from hierarchy.models import Agent, HierarchyGroup
from search.ingest.ctr import ContactRecord, Named
from search.models import Queue, RoutingProfile


@dataclass
class DirectorySeen:
    agents: dict[str, Named] = field(default_factory=dict)
    groups: dict[str, Named] = field(default_factory=dict)
    queues: dict[str, Named] = field(default_factory=dict)
    routing_profiles: dict[str, Named] = field(default_factory=dict)
    agent_groups: dict[str, str] = field(default_factory=dict)  # agent id → deepest group in its record

    def add(self, record: ContactRecord) -> None:
        if record.agent:
            self.agents[record.agent.id] = record.agent
            if record.groups:
                self.agent_groups[record.agent.id] = record.groups[-1].id
        self.groups.update((g.id, g) for g in record.groups)
        if record.queue:
            self.queues[record.queue.id] = record.queue
        if record.routing_profile:
            self.routing_profiles[record.routing_profile.id] = record.routing_profile

    def update(self, other: DirectorySeen) -> None:
        self.agents.update(other.agents)
        self.groups.update(other.groups)
        self.queues.update(other.queues)
        self.routing_profiles.update(other.routing_profiles)
        self.agent_groups.update(other.agent_groups)


class DirectoryCache:
    """Connect ids → portal primary keys for agents, groups, queues and routing
    profiles, so a long ingest upserts each one once rather than once per record."""

    def __init__(self) -> None:
        self.groups: dict[str, int] = {}
        self.agents: dict[str, int] = {}
        self.queues: dict[str, int] = {}
        self.routing_profiles: dict[str, int] = {}
        self.grouped_agents: set[str] = set()  # agents given a group (or seen with one) in this run

    def resolve(self, seen: DirectorySeen) -> None:
        self._groups(seen.groups)
        self._simple(Agent, "agent_id", self.agents, seen.agents, "username")
        self._simple(Queue, "queue_id", self.queues, seen.queues, "name")
        self._simple(RoutingProfile, "routing_profile_id", self.routing_profiles, seen.routing_profiles, "name")
        self._agent_groups(seen.agent_groups)

    def _simple(self, model, id_field: str, known: dict[str, int], seen: dict[str, Named], name_field: str) -> None:
        fresh = {key: n for key, n in seen.items() if key not in known}
        if not fresh:
            return
        # Names and ARNs longer than their columns are cut; ids were checked when read.
        limit = model._meta.get_field(name_field).max_length
        model.objects.bulk_create(
            [model(**{id_field: n.id, "arn": n.arn[:512], name_field: n.name[:limit]}) for n in fresh.values()],
            update_conflicts=True,
            unique_fields=[id_field],
            update_fields=["arn", name_field],
        )
        known.update(model.objects.filter(**{f"{id_field}__in": list(fresh)}).values_list(id_field, "pk"))

    def _groups(self, seen: dict[str, Named]) -> None:
        fresh = {key: g for key, g in seen.items() if key not in self.groups}
        if not fresh:
            return
        self._simple(HierarchyGroup, "group_id", self.groups, fresh, "name")
        rows = list(HierarchyGroup.objects.filter(group_id__in=list(fresh)))
        for row in rows:
            named = fresh[row.group_id]
            row.level = named.level
            row.parent_id = self.groups.get(named.parent_id) if named.parent_id else None
        HierarchyGroup.objects.bulk_update(rows, ["level", "parent"])

    def _agent_groups(self, agent_groups: dict[str, str]) -> None:
        """A new agent's current group is the deepest one of a record naming them;
        synchronising from Connect corrects it later."""
        fresh = {agent: group for agent, group in agent_groups.items() if agent not in self.grouped_agents}
        if not fresh:
            return
        # One statement for the batch, and each agent only once per run: per-agent
        # UPDATEs for every batch were a few percent of the whole ingest.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Agent._meta.db_table} SET hierarchy_group_id = v.group_pk "
                "FROM unnest(%s::text[], %s::bigint[]) AS v(agent_id, group_pk) "
                f"WHERE {Agent._meta.db_table}.agent_id = v.agent_id AND hierarchy_group_id IS NULL",
                [list(fresh), [self.groups[g] for g in fresh.values()]],
            )
        self.grouped_agents.update(fresh)
