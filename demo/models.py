"""Which portal logins the demo created, so demo-only conveniences never reach anyone else."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DemoLogin(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_login")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo login {self.user_id}"
