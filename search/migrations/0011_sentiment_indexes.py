# Sentiment searches over a broad scope read a range of one of these indexes, with the
# contact id alongside, instead of scanning every analysis.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0010_role_documents"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contactanalysis",
            index=models.Index(fields=["agent_sentiment"], include=("contact",), name="analysis_agent_score"),
        ),
        migrations.AddIndex(
            model_name="contactanalysis",
            index=models.Index(fields=["customer_sentiment"], include=("contact",), name="analysis_customer_score"),
        ),
        migrations.AddIndex(
            model_name="contactanalysis",
            index=models.Index(
                fields=["agent_sentiment_begin", "agent_sentiment_end"],
                include=("contact",),
                name="analysis_agent_shift",
            ),
        ),
        migrations.AddIndex(
            model_name="contactanalysis",
            index=models.Index(
                fields=["customer_sentiment_begin", "customer_sentiment_end"],
                include=("contact",),
                name="analysis_customer_shift",
            ),
        ),
    ]
