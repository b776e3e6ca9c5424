"""`manage.py legal_hold set CONTACT_ID --reason R` / `clear CONTACT_ID`: audited."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from recordings.deletion import DeletionRefused, legal_hold_clear, legal_hold_set
from search.models import Contact


class Command(BaseCommand):
    help = "Set or clear the legal hold on a contact (a held recording cannot be deleted)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["set", "clear"])
        parser.add_argument("contact_id")
        parser.add_argument("--reason", default="", help="why (required to set; recorded in the audit log)")

    def handle(self, *args, action: str, contact_id: str, reason: str, **options) -> None:
        # An operator's command, not a user's request: no visibility scope applies.
        contact = Contact.objects.filter(contact_id=contact_id).first()
        if contact is None:
            raise CommandError(f"No contact {contact_id}")
        try:
            if action == "set":
                legal_hold_set(contact=contact, user=None, reason=reason)
            else:
                legal_hold_clear(contact=contact, user=None, reason=reason)
        except DeletionRefused as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(f"legal hold {'set on' if action == 'set' else 'cleared from'} {contact_id}")
