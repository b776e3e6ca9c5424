from django.db import migrations

from portal import crypto
from portal.fields import seal_text
from portal.phone import phone_blind_index

# (table, column, the sealed field's context: `app_label.model.field`)
SEALED_COLUMNS = (
    ("search_contact", "legal_hold_reason", "search.contact.legal_hold_reason"),
    ("search_savedsearch", "query", "search.savedsearch.query"),
)


def seal_texts(cursor) -> None:
    for table, column, context in SEALED_COLUMNS:
        cursor.execute(
            f"SELECT id, {column} FROM {table} WHERE {column} <> '' AND {column} NOT LIKE 'sealed:v1:%%'"
        )
        for pk, text in cursor.fetchall():
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [seal_text(text, context=context), pk])


def index_unparsed_numbers(cursor) -> None:
    """Numbers libphonenumber refused were stored without a blind index; index them by
    their digits so they become findable."""
    for column in ("customer_phone", "system_phone"):
        cursor.execute(
            f"SELECT id, contact_id, {column}_enc FROM search_contact "
            f"WHERE {column}_hash IS NULL AND {column}_enc IS NOT NULL"
        )
        for pk, contact_id, sealed in cursor.fetchall():
            number = crypto.decrypt_text(bytes(sealed), context=contact_id)
            index = phone_blind_index(number)
            if index is not None:
                cursor.execute(f"UPDATE search_contact SET {column}_hash = %s WHERE id = %s", [index, pk])


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        seal_texts(cursor)
        index_unparsed_numbers(cursor)


class Migration(migrations.Migration):
    dependencies = [("search", "0015_contact_instance_arn_sealed_texts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
