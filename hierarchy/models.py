"""Connect's agent hierarchy (up to five levels) and its agents."""

from __future__ import annotations

from django.db import models

MAX_LEVELS = 5


class HierarchyGroup(models.Model):
    group_id = models.CharField(max_length=64, unique=True, help_text="Connect's id, the last part of the ARN")
    arn = models.CharField(max_length=512, blank=True)
    name = models.CharField(max_length=256)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """A Connect user as seen in contact records or synchronised from Connect."""

    agent_id = models.CharField(max_length=64, unique=True, help_text="Connect's user id, the last part of the ARN")
    arn = models.CharField(max_length=512, blank=True)
    username = models.CharField(max_length=128, db_index=True)
    first_name = models.CharField(max_length=128, blank=True)
    last_name = models.CharField(max_length=128, blank=True)
    hierarchy_group = models.ForeignKey(
        HierarchyGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="agents"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username
