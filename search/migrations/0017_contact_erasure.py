from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0016_seal_texts_index_unparsed_numbers")]

    operations: list = []
