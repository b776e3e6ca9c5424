from django.db import migrations

# An erasure must also take the customer's number out of the sealed personal details of
# earlier audit events (a search by that number). The log stays append-only for
# everything else: an UPDATE passes only inside a transaction that set
# portal.audit_scrub (erasure.audit_scrub does, with SET LOCAL) and only when it changes
# nothing but the sealed `personal` column.
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
  IF TG_OP = 'UPDATE' AND current_setting('portal.audit_scrub', true) = 'on'
     AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_username, NEW.action, NEW.contact_id, NEW.ip_address, NEW.details)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.at, OLD.actor_id, OLD.actor_username, OLD.action, OLD.contact_id, OLD.ip_address, OLD.details)
  THEN
    RETURN NEW;
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
  IF TG_OP = 'TRUNCATE' AND left(current_database(), 5) = 'test_' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("erasure", "0001_initial"), ("audit", "0005_seal_existing_personal_details")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
