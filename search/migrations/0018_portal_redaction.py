from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0017_contact_erasure")]

    operations: list = []
