from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0016_seal_texts_index_unparsed_numbers")]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="erased_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
