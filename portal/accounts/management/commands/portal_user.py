"""`manage.py portal_user create USERNAME --profile NAME … | token USERNAME |
access-key create USERNAME | access-key list USERNAME | access-key revoke ACCESS_KEY_ID`."""

from __future__ import annotations

import getpass
import os
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.accounts.models import AccessKey, User
from portal.accounts.services import AccountError, access_key_issue, access_key_withdraw, user_create_or_update
from portal.accounts.tokens import token_create


class Command(BaseCommand):
    help = "Create or update a portal user, print a new API token for one, or manage their access keys."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create", help="Create or update a user (password from PORTAL_USER_PASSWORD or a prompt)"
        )
        create.add_argument("username")
        create.add_argument("--profile", action="append", required=True, dest="profiles", metavar="NAME")
        create.add_argument("--hierarchy-group", dest="group_id", metavar="GROUP_ID", help="Connect group id")
        create.add_argument("--agent", dest="agent", metavar="CONNECT_USERNAME")
        create.add_argument("--email")
        token = sub.add_parser("token", help="Print one new API token, alone on stdout")
        token.add_argument("username")
        token.add_argument("--name", default="manage.py")
        keys = sub.add_parser("access-key", help="API access keys for SigV4-signed calls (AWS CLI, boto3)")
        key_sub = keys.add_subparsers(dest="key_action", required=True)
        key_create = key_sub.add_parser("create", help="Print AWS_ACCESS_KEY_ID=… and AWS_SECRET_ACCESS_KEY=…")
        key_create.add_argument("username")
        key_create.add_argument("--expires-in-days", type=int, metavar="DAYS", help="Default: never expires")
        key_sub.add_parser("list", help="The user's keys").add_argument("username")
        key_sub.add_parser("revoke", help="Revoke one key").add_argument("access_key_id")

    def handle(self, *args, action: str, **options) -> None:
        if action == "token":
            self._token(options["username"], options["name"])
        elif action == "access-key":
            getattr(self, f"_key_{options['key_action']}")(options)
        else:
            self._create(options)

    def _active_user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}")
        return user

    def _key_create(self, options: dict) -> None:
        user = self._active_user(options["username"])
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-in-days must be at least 1")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        issued = access_key_issue(user=user, expires_at=expires_at)
        # Two lines an integrator can paste into a shell or an env file; the secret is never shown again.
        self.stdout.write(f"AWS_ACCESS_KEY_ID={issued.access_key_id}")
        self.stdout.write(f"AWS_SECRET_ACCESS_KEY={issued.secret}")

    def _key_list(self, options: dict) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}")
        now = timezone.now()

        def when(value) -> str:
            return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"

        rows = [("ACCESS_KEY_ID", "CREATED", "EXPIRES", "LAST_USED", "ACTIVE")]
        for key in AccessKey.objects.filter(user=user).order_by("created_at"):
            active = "yes" if key.is_active(now) and user.is_active else "no"
            rows.append((key.access_key_id, when(key.created_at), when(key.expires_at), when(key.last_used_at), active))
        for row in rows:
            self.stdout.write("  ".join(f"{column:<20}" for column in row).rstrip())

    def _key_revoke(self, options: dict) -> None:
        key = access_key_withdraw(access_key_id=options["access_key_id"])
        if key is None:
            raise CommandError(f"No active access key {options['access_key_id']!r}")
        self.stdout.write(f"revoked {key.access_key_id} of {key.user.username}")

    def _token(self, username: str, name: str) -> None:
        self.stdout.write(token_create(user=self._active_user(username), name=name))

    def _create(self, options: dict) -> None:
        exists = User.objects.filter(username=options["username"]).exists()
        try:
            user, created = user_create_or_update(
                username=options["username"],
                profiles=options["profiles"],
                password=self._password(required=not exists),
                email=options["email"],
                group_id=options["group_id"],
                agent_username=options["agent"],
            )
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb} user {user.username} ({', '.join(options['profiles'])})")

    def _password(self, *, required: bool) -> str | None:
        password = os.environ.get("PORTAL_USER_PASSWORD")
        if password:
            return password
        if not os.isatty(0):
            if required:
                raise CommandError("Set PORTAL_USER_PASSWORD (no terminal to prompt on)")
            return None  # updating without a terminal keeps the current password
        first = getpass.getpass("Password: ")
        if not first and not required:
            return None
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ")
        if not first:
            raise CommandError("A password is required")
        return first
