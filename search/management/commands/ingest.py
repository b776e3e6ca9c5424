from django.core.management.base import BaseCommand, CommandError

from search.ingest.runner import IngestRun
from search.ingest.sources import SourceUnreadable


class Command(BaseCommand):
    help = "Ingest Connect contact records and Contact Lens analyses from files, folders or s3://bucket/prefix."

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="SOURCE")
        parser.add_argument("--force", action="store_true", help="re-read objects already ingested")

    def handle(self, *args, sources: list[str], force: bool, **options):
        run = IngestRun(force=force)
        unreadable = []
        for source in sources:
            try:
                run.ingest(source)
            except SourceUnreadable as error:
                unreadable.append(str(error))
                self.stderr.write(f"cannot read {error}")
        report = run.report
        for rejection in report.rejections:
            self.stdout.write(f"skipped {rejection}")
        self.stdout.write(report.summary())
        if unreadable and len(unreadable) == len(sources):
            raise CommandError("no source could be read")
        if unreadable:
            raise CommandError(f"{len(unreadable)} of {len(sources)} sources could not be read")
