from django.core.management.base import BaseCommand

from demo.loader import demo_load, demo_logins


class Command(BaseCommand):
    help = "Write a demo Connect instance into S3 in Connect's layout, then ingest it."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, contacts: int, seed: int, **options):
        report = demo_load(contacts=contacts, seed=seed)
        self.stdout.write(
            f"wrote {report.objects} objects ({report.bytes / 1e6:.1f} MB, audio {report.audio_bytes / 1e6:.1f} MB)"
        )
        for rejection in report.ingest.rejections:
            self.stdout.write(f"skipped {rejection}")
        self.stdout.write(report.ingest.summary())
        self.stdout.write("demo logins: " + ", ".join(name for name, _ in demo_logins()))
