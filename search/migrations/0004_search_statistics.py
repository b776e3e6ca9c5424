from django.db import migrations

# The planner estimates how many transcripts hold a word from the most common lexemes it
# samples. With the default target a rare word is estimated at thousands of rows, and a
# search for it walks the whole time index instead of using the GIN index (6 s instead of
# 10 ms at a million contacts). A longer list makes rare words look rare.
SQL = "ALTER TABLE search_transcriptsearchdoc ALTER COLUMN document SET STATISTICS 1000"
REVERSE = "ALTER TABLE search_transcriptsearchdoc ALTER COLUMN document SET STATISTICS -1"


class Migration(migrations.Migration):
    dependencies = [("search", "0003_saved_search")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
