"""Repairing the search documents' copies of their contact's scope and start.

Triggers keep the copies in step (search/sql/scope_copy.sql), with one gap: a document
inserted while another transaction is changing its contact's scope reads the contact
as it was, and that transaction's push cannot see the new document yet. Once both have
committed, the copy is stale until the next write of either. Searches still decide on
the contact itself, so a stale copy can only make a restricted total too low; this
repair, run periodically, brings such copies back in step.
"""

from __future__ import annotations

from django.db import connection

# Touching contact_id fires the row trigger that refills a document from its contact
# (NULLs when the contact is gone); only documents that differ are touched.
_REPAIR_SQL = """
    UPDATE search_transcriptsearchdoc d SET contact_id = d.contact_id
     WHERE d.contact_id IN (
       SELECT s.contact_id
         FROM search_transcriptsearchdoc s LEFT JOIN search_contact c ON c.contact_id = s.contact_id
        WHERE (s.agent_id, s.hierarchy_l1, s.hierarchy_l2, s.hierarchy_l3, s.hierarchy_l4, s.hierarchy_l5,
               s.initiation_ts)
              IS DISTINCT FROM
              (c.agent_id, c.hierarchy_l1, c.hierarchy_l2, c.hierarchy_l3, c.hierarchy_l4, c.hierarchy_l5,
               c.initiation_ts))
"""


def scope_copies_repair() -> int:
    """Refill every document whose copies differ from its contact; returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(_REPAIR_SQL)
        return cursor.rowcount
