-- Each search document carries a copy of its contact's scope (agent_id,
-- hierarchy_l1..l5) and initiation_ts, so a search can intersect the GIN index with
-- the scope indexes of the same table before joining contacts. search_contact stays
-- the source of truth: these triggers keep the copies equal to it, and searches still
-- apply every condition to the contact itself, so a copy only ever narrows.
-- Calls inside are schema-qualified: restores run with an empty search_path.

-- A document takes its contact's values whenever it is written, whatever the writer
-- put there; one that arrives before its contact gets NULLs.
CREATE OR REPLACE FUNCTION public.portal_scope_copy_fill()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT c.agent_id, c.hierarchy_l1, c.hierarchy_l2, c.hierarchy_l3, c.hierarchy_l4, c.hierarchy_l5, c.initiation_ts
    INTO NEW.agent_id, NEW.hierarchy_l1, NEW.hierarchy_l2, NEW.hierarchy_l3, NEW.hierarchy_l4, NEW.hierarchy_l5,
         NEW.initiation_ts
    FROM public.search_contact c
   WHERE c.contact_id = NEW.contact_id;
  RETURN NEW;
END
$$;

-- Contacts are merged in bulk (INSERT ... SELECT ... ON CONFLICT, COPY), so they push
-- per statement, from the transition tables: the documents of every contact that
-- arrived, left, or changed its scope or start are refilled by touching contact_id,
-- which fires the row trigger above. Other documents are not rewritten.
CREATE OR REPLACE FUNCTION public.portal_scope_copy_push()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT pg_catalog.array_agg(n.contact_id) INTO touched FROM new_contacts n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT pg_catalog.array_agg(o.contact_id) INTO touched FROM old_contacts o;
  ELSE
    SELECT pg_catalog.array_agg(DISTINCT ids.contact_id) INTO touched
      FROM new_contacts n JOIN old_contacts o ON o.id = n.id
     CROSS JOIN LATERAL (VALUES (n.contact_id), (o.contact_id)) AS ids(contact_id)
     WHERE (n.contact_id, n.agent_id, n.hierarchy_l1, n.hierarchy_l2, n.hierarchy_l3, n.hierarchy_l4,
            n.hierarchy_l5, n.initiation_ts)
           IS DISTINCT FROM
           (o.contact_id, o.agent_id, o.hierarchy_l1, o.hierarchy_l2, o.hierarchy_l3, o.hierarchy_l4,
            o.hierarchy_l5, o.initiation_ts);
  END IF;
  IF touched IS NOT NULL THEN
    UPDATE public.search_transcriptsearchdoc SET contact_id = contact_id WHERE contact_id = ANY (touched);
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS scope_copy_fill ON public.search_transcriptsearchdoc;
CREATE TRIGGER scope_copy_fill
  BEFORE INSERT OR UPDATE OF contact_id, agent_id, hierarchy_l1, hierarchy_l2, hierarchy_l3, hierarchy_l4,
    hierarchy_l5, initiation_ts
  ON public.search_transcriptsearchdoc FOR EACH ROW EXECUTE FUNCTION public.portal_scope_copy_fill();

-- PostgreSQL allows transition tables on single-event triggers only: one per event.
DROP TRIGGER IF EXISTS scope_copy_push_insert ON public.search_contact;
CREATE TRIGGER scope_copy_push_insert
  AFTER INSERT ON public.search_contact REFERENCING NEW TABLE AS new_contacts
  FOR EACH STATEMENT EXECUTE FUNCTION public.portal_scope_copy_push();

DROP TRIGGER IF EXISTS scope_copy_push_update ON public.search_contact;
CREATE TRIGGER scope_copy_push_update
  AFTER UPDATE ON public.search_contact REFERENCING OLD TABLE AS old_contacts NEW TABLE AS new_contacts
  FOR EACH STATEMENT EXECUTE FUNCTION public.portal_scope_copy_push();

DROP TRIGGER IF EXISTS scope_copy_push_delete ON public.search_contact;
CREATE TRIGGER scope_copy_push_delete
  AFTER DELETE ON public.search_contact REFERENCING OLD TABLE AS old_contacts
  FOR EACH STATEMENT EXECUTE FUNCTION public.portal_scope_copy_push();
