"""`manage.py erase_customer --phone NUMBER --reason R [--dry-run]`: erase one customer.

An operator's command, not a user's request: every contact of the number is in scope
(legal holds still apply). It runs in this process rather than on a worker, prints
what it erased (or, with --dry-run, would erase) and the skipped contacts, and writes
the certificate (JSON and CSV, never the number) under ERASURE_CERTIFICATE_DIR: its
path is the last line.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from erasure import presenters, selectors, services
from erasure.models import Erasure
from recordings.storage import StorageError


class Command(BaseCommand):
    help = "Erase everything the portal holds about one customer, found by phone number."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--phone", required=True, help="the customer's number, in any common format")
        parser.add_argument("--reason", required=True, help="why (recorded in the audit log and the certificate)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be erased; touch nothing")

    def handle(self, *args, phone: str, reason: str, dry_run: bool, **options) -> None:
        phone_hash = selectors.erasure_phone_index(phone=phone)
        if phone_hash is None:
            raise CommandError("--phone holds no phone number")
        if dry_run:
            self._plan(selectors.erasure_plan(user=None, phone_hash=phone_hash))
            return
        try:
            erasure = services.erasure_create(user=None, phone=phone, reason=reason, enqueue=False)
            services.erasure_run(erasure_id=erasure.pk)
        except services.ErasureRefused as refused:
            raise CommandError(refused.message) from None
        except StorageError as error:
            raise CommandError(f"storage failed, the erasure stopped: {error}") from None
        erasure.refresh_from_db()
        if erasure.status != Erasure.DONE:
            raise CommandError(f"erasure {erasure.pk} did not finish: {erasure.message}")
        certificate = presenters.certificate(erasure=erasure)
        for item in certificate["Contacts"]:
            self.stdout.write(f"erased {item['ContactId']}")
        for item in certificate["Skipped"]:
            self.stdout.write(f"skipped {item['ContactId']}: {item['Why']}")
        self.stdout.write(
            f"erased {len(certificate['Contacts'])} contacts, skipped {len(certificate['Skipped'])}; "
            f"deleted {len(certificate['Objects'])} object versions"
        )
        self.stdout.write(str(self._write(certificate)))

    def _plan(self, plan: selectors.ErasurePlan) -> None:
        for item in plan.erasable:
            self.stdout.write(
                f"would erase {item.contact.contact_id}: recording {'yes' if item.recording else 'no'}, "
                f"analysis {'yes' if item.analysis else 'no'}, {item.transcript_turns} transcript turns"
            )
            for key in item.objects:
                self.stdout.write(f"  {key}")
        for item in plan.held:
            self.stdout.write(f"would skip {item.contact.contact_id}: LEGAL_HOLD")
        self.stdout.write(
            f"dry run: would erase {len(plan.erasable)} contacts and {plan.object_count} objects "
            f"(every version), skip {len(plan.held)}; nothing was touched"
        )

    def _write(self, certificate: dict) -> Path:
        folder = Path(settings.ERASURE_CERTIFICATE_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"erasure-{certificate['ErasureId']}.json"
        # Written under a temporary name and renamed: a reader never sees half a certificate.
        for target, text in (
            (path, json.dumps(certificate, ensure_ascii=False, indent=2)),
            (path.with_suffix(".csv"), selectors.erasure_certificate_csv(certificate=certificate)),
        ):
            partial = target.with_name(f".{target.name}.part")
            partial.write_text(text, encoding="utf-8")
            partial.replace(target)
        return path
