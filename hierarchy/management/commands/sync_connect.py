from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hierarchy.services import arn_id, connect_client, connect_sync


class Command(BaseCommand):
    help = "Synchronise users and hierarchy groups from an Amazon Connect instance."

    def add_arguments(self, parser):
        parser.add_argument(
            "--instance-id", default="", help="Connect instance id (default: the one in CONNECT_INSTANCE_ARN)"
        )
        parser.add_argument("--region", default="", help="AWS region (default: the one in CONNECT_INSTANCE_ARN)")

    def handle(self, *args, instance_id: str = "", region: str = "", **options):
        instance_id = instance_id or arn_id(settings.CONNECT_INSTANCE_ARN)
        try:
            result = connect_sync(connect_client(region or None), instance_id)
        except (BotoCoreError, ClientError) as exc:
            raise CommandError(f"Connect refused or could not be reached: {exc}") from exc
        self.stdout.write(
            f"synchronised {result.groups} hierarchy groups, {result.agents} users; "
            f"{result.portal_users_moved} portal users moved to a new group"
        )
