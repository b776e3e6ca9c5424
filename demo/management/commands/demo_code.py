from django.core.management.base import BaseCommand, CommandError

from demo.loader import NotADemoLogin, demo_totp_code


class Command(BaseCommand):
    help = "Development only: print the current TOTP code of a demo login, alone on stdout."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            code = demo_totp_code(username)
        except NotADemoLogin as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(code)
