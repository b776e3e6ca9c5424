"""`manage.py security_profile import FILE | export NAME`, in Connect's JSON shape."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.accounts.services import AccountError, profile_export, profile_import, profile_validate


class Command(BaseCommand):
    help = 'Import or export a security profile as {"SecurityProfileName": ..., "Permissions": [...]}.'

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Create or replace profiles from a JSON file ('-' for stdin)")
        imp.add_argument("file")
        exp = sub.add_parser("export", help="Print a profile as JSON")
        exp.add_argument("name")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "export":
                self.stdout.write(json.dumps(profile_export(name=options["name"]), indent=2, ensure_ascii=False))
            else:
                self._import(options["file"])
        except AccountError as exc:
            raise CommandError(str(exc)) from exc

    def _import(self, file: str) -> None:
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            document = json.loads(text)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        except RecursionError:
            raise CommandError(f"Cannot read {file}: JSON nested too deeply") from None
        # A file may hold one profile or a list of them; all or none are imported.
        documents = document if isinstance(document, list) else [document]
        # Refuse a bad file before touching the database, so the error is the file's.
        for each in documents:
            profile_validate(each)
        with transaction.atomic():
            results = [profile_import(document=d) for d in documents]
        for profile, created in results:
            verb = "created" if created else "updated"
            self.stdout.write(f"{verb} security profile {profile.name} ({len(profile.permissions)} permissions)")
