"""`manage.py portal_user create USERNAME --profile NAME … | token USERNAME`."""

from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import User
from portal.accounts.services import AccountError, user_create_or_update
from portal.accounts.tokens import token_create


class Command(BaseCommand):
    help = "Create or update a portal user, or print a new API token for one."

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

    def handle(self, *args, action: str, **options) -> None:
        if action == "token":
            self._token(options["username"], options["name"])
        else:
            self._create(options)

    def _token(self, username: str, name: str) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}")
        self.stdout.write(token_create(user=user, name=name))

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
