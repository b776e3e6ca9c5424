"""Writes around search: the audit trail of searches and exports, column choices,
saved searches and the searchable attribute keys."""

from __future__ import annotations

import csv
import io

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from search.criteria import SearchCriteria
from search.models import SavedSearch, SearchableAttributeKey
from search.selectors import contact_export_rows
from search.selectors.columns import Column, csv_value, rows_for, table_rows

EXPORT_CHUNK = 500


def search_audit(
    *, user, request, criteria: SearchCriteria, total: int, capped: bool, via: str, continued: bool
) -> None:
    details = {
        "criteria": criteria.audit_details(),
        "total": total,
        "capped": capped,
        "via": via,
        "continued": continued,
    }
    audit_record(action="search", actor=user, request=request, contact_id=criteria.contact_id, details=details)


def search_export_csv(*, user, request, criteria: SearchCriteria, columns: list[Column]) -> str:
    """The CSV of the search's first `EXPORT_ROW_CAP` rows, only with columns the user
    may see; the export and its criteria are audited with it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(_("Contact ID"))] + [str(c.label) for c in columns])
    count = 0
    chunk: list = []

    def flush() -> None:
        for row in table_rows(chunk, columns):
            writer.writerow([row.contact.contact_id] + [csv_value(cell.value) for cell in row.cells])
        chunk.clear()

    for contact in contact_export_rows(user=user, criteria=criteria, rows=rows_for(columns)):
        chunk.append(contact)
        count += 1
        if len(chunk) >= EXPORT_CHUNK:
            flush()
    flush()
    details = {"criteria": criteria.audit_details(), "rows": count, "columns": [c.key for c in columns]}
    audit_record(action="export", actor=user, request=request, details=details)
    return buffer.getvalue()


def search_columns_save(*, user, columns: list[str]) -> None:
    if list(user.search_columns or []) != columns:
        user.search_columns = columns
        user.save(update_fields=["search_columns"])


class SavedSearchNameTaken(ValueError):
    pass


def saved_search_create(*, user, name: str, query: str) -> SavedSearch:
    """Saving under an existing name replaces that search (the user asked for it by name)."""
    name = name.strip()[:120]
    try:
        with transaction.atomic():
            saved, _created = SavedSearch.objects.update_or_create(user=user, name=name, defaults={"query": query})
    except IntegrityError:
        raise SavedSearchNameTaken(name) from None
    return saved


def saved_search_delete(*, user, saved_search_id: int) -> bool:
    # Private: only the owner's own rows are ever matched.
    deleted, _ = SavedSearch.objects.filter(user=user, pk=saved_search_id).delete()
    return bool(deleted)


def searchable_attribute_add(*, key: str, actor=None, request=None) -> bool:
    key = key.strip()
    if not key:
        raise ValueError(_("An attribute key cannot be empty."))
    with transaction.atomic():
        _row, created = SearchableAttributeKey.objects.get_or_create(key=key[:256])
        if created:
            audit_record(action="searchable_attribute_add", actor=actor, request=request, details={"key": key})
    return created


def searchable_attribute_remove(*, key: str, actor=None, request=None) -> bool:
    with transaction.atomic():
        deleted, _ = SearchableAttributeKey.objects.filter(key=key.strip()).delete()
        if deleted:
            audit_record(action="searchable_attribute_remove", actor=actor, request=request, details={"key": key})
    return bool(deleted)
