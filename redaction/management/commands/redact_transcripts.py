import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from recordings.storage import StorageError
from redaction import detector, selectors, services


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None and (day := parse_date(text)) is not None:
        moment = datetime(day.year, day.month, day.day)
    if moment is None:
        raise CommandError(f"--since must be a date or a time (YYYY-MM-DD), got {text!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "The portal's own redaction (transcript, search index, silenced recording) for contacts whose "
        "analysis Contact Lens did not redact, in PORTAL_REDACT_LANGUAGES. New contacts are redacted on ingest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--language", help="one language code (default: every one in PORTAL_REDACT_LANGUAGES)")
        parser.add_argument("--since", help="only contacts initiated on or after this date (YYYY-MM-DD)")
        parser.add_argument("--force", action="store_true", help="redo contacts already redacted by this redactor")

    def handle(self, *args, language: str | None, since: str | None, force: bool, **options):
        if language and (language not in settings.PORTAL_REDACT_LANGUAGES or not detector.supports(language)):
            raise CommandError(f"{language} is not a language the portal redacts (PORTAL_REDACT_LANGUAGES)")
        moment = _since(since)
        total = selectors.contacts_to_redact_count(language=language, since=moment, force=force)
        self.stdout.write(f"{total} contacts to redact (redactor {detector.REDACTOR_VERSION})")
        contacts = turns = recordings = skipped = failed = done = 0
        started = last = time.monotonic()
        for chunk in selectors.contacts_to_redact(language=language, since=moment, force=force):
            for contact_id in chunk:
                try:
                    outcome = services.contact_redact(contact_id=contact_id, force=force)
                except StorageError as error:
                    failed += 1
                    self.stderr.write(f"{contact_id}: {error}")
                    continue
                finally:
                    done += 1
                if outcome.skipped:
                    skipped += 1
                else:
                    contacts, turns, recordings = contacts + 1, turns + outcome.turns, recordings + outcome.recording
                if time.monotonic() - last >= 2 or done == total:
                    last = time.monotonic()
                    rate = done / max(last - started, 1e-6)
                    self.stdout.write(f"  {done}/{total} contacts ({rate:.1f}/s)")
        self.stdout.write(
            f"redacted {turns} turns in {contacts} contacts and {recordings} recordings; "
            f"skipped {skipped}, failed {failed}"
        )
        if failed:
            raise CommandError(f"{failed} contacts could not be redacted (storage); run again to retry them")
