from django.db import migrations, models

# A search combining several tables counts its matches by looking each candidate contact
# up in the analyses (and attribute hashes) one at a time, tens of thousands of lookups
# for a broad search. With the filtered columns in the index those lookups, and the
# attribute match list, are read from the index alone instead of one table page each.
# The `_like` indexes on the contact ids of analyses and documents serve LIKE 'prefix%',
# which nothing asks of them (ids are only compared for equality, which the unique
# indexes answer), so the covering index replaces one of them on every analysis write.
LIKE_INDEXES = {
    "search_contactanalysis": "search_contactanalysis_contact_id_5adae4ea_like",
    "search_transcriptsearchdoc": "search_transcriptsearchdoc_contact_id_c9f53e6a_like",
}
# As search.models.ANALYSIS_FILTERED was when this ran.
ANALYSIS_FILTERED = [
    "agent_sentiment",
    "customer_sentiment",
    "agent_sentiment_begin",
    "agent_sentiment_end",
    "customer_sentiment_begin",
    "customer_sentiment_end",
    "non_talk_ms",
    "non_talk_percent",
    "interruptions",
    "categories",
    "original_key",
    "redacted_key",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0008_drop_duplicate_contact_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="contactattributeindex", name="attribute_key_value"),
        migrations.AddIndex(
            model_name="contactattributeindex",
            index=models.Index(fields=["key", "value_hash"], include=["contact"], name="attribute_key_value_contact"),
        ),
        migrations.AddIndex(
            model_name="contactanalysis",
            index=models.Index(fields=["contact"], include=ANALYSIS_FILTERED, name="analysis_contact_filtered"),
        ),
        *[
            migrations.RunSQL(
                f"DROP INDEX IF EXISTS {name}",
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} (contact_id varchar_pattern_ops)",
            )
            for table, name in LIKE_INDEXES.items()
        ],
    ]
