from django.core.management.base import BaseCommand, CommandError

from search.models import SearchableAttributeKey
from search.services import searchable_attribute_add, searchable_attribute_remove


class Command(BaseCommand):
    help = "Which custom contact attribute keys can be searched (the same setting as /settings/attributes/)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("add", help="make KEY searchable").add_argument("key")
        sub.add_parser("remove", help="stop searching KEY").add_argument("key")
        sub.add_parser("list", help="print the searchable keys, one per line")

    def handle(self, *args, action: str, key: str = "", **options):
        if action == "list":
            for name in SearchableAttributeKey.objects.values_list("key", flat=True):
                self.stdout.write(name)
            return
        if action == "add":
            try:
                created = searchable_attribute_add(key=key)
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"{key} is now searchable" if created else f"{key} was already searchable")
            return
        if not searchable_attribute_remove(key=key):
            raise CommandError(f"{key} is not a searchable attribute")
        self.stdout.write(f"{key} is no longer searchable")
