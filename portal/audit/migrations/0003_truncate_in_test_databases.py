from django.db import migrations

# Django's test runner empties tables between transactional tests with TRUNCATE, which
# the append-only trigger refuses. TRUNCATE (never UPDATE or DELETE) is let through only
# in databases whose name starts with "test_", the prefix Django gives test databases.
SQL = """
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  purge_before text := current_setting('portal.audit_purge_before', true);
BEGIN
  IF TG_OP = 'DELETE' AND purge_before IS NOT NULL AND purge_before <> ''
     AND OLD.at < purge_before::timestamptz THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'TRUNCATE' AND left(current_database(), 5) = 'test_' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

REVERSE = """
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  purge_before text := current_setting('portal.audit_purge_before', true);
BEGIN
  IF TG_OP = 'DELETE' AND purge_before IS NOT NULL AND purge_before <> ''
     AND OLD.at < purge_before::timestamptz THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
