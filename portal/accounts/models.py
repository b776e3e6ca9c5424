"""Portal users, Connect-style security profiles and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Func, OuterRef

from hierarchy.models import Agent, HierarchyGroup


class SecurityProfile(models.Model):
    name = models.CharField(max_length=128, unique=True)
    description = models.CharField(max_length=512, blank=True)
    permissions = ArrayField(models.CharField(max_length=128), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def granted_permissions(user_ref=OuterRef("pk")) -> ArraySubquery:
    """The permission names of every profile of the user `user_ref` points at, as one
    SQL expression, so a query that loads a user can load them too."""
    names = SecurityProfile.objects.filter(users=user_ref).annotate(granted=Func(F("permissions"), function="unnest"))
    return ArraySubquery(names.values("granted"))


class User(AbstractUser):
    security_profiles = models.ManyToManyField(SecurityProfile, blank=True, related_name="users")
    hierarchy_group = models.ForeignKey(
        HierarchyGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="portal_users"
    )
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="portal_users")
    time_zone = models.CharField(max_length=64, default="UTC")
    language = models.CharField(max_length=8, blank=True, help_text="Empty: follow the browser")
    search_columns = models.JSONField(default=list, blank=True)

    @property
    def connect_permissions(self) -> frozenset[str]:
        """The union of the user's profiles, read once per request (the user object lives that long)."""
        cached = getattr(self, "_connect_permissions", None)
        if cached is None:
            if not self.is_active or not self.pk:
                cached = frozenset()
            else:
                granted = User.objects.filter(pk=self.pk).annotate(granted=granted_permissions())
                cached = frozenset(granted.values_list("granted", flat=True).get())
            self._connect_permissions = cached
        return cached

    def has_connect_permission(self, name: str) -> bool:
        return name in self.connect_permissions


class ApiToken(models.Model):
    """A bearer token for the JSON API; only a SHA-256 of it is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=128, blank=True)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class AccessKey(models.Model):
    """An AWS-style key pair for SigV4-signed API calls. The secret is kept encrypted,
    not hashed: verifying a signature means recomputing it with the secret itself."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_keys")
    access_key_id = models.CharField(max_length=20, unique=True)
    secret_enc = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.access_key_id

    def is_active(self, now=None) -> bool:
        from django.utils import timezone

        moment = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)
