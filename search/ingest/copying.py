"""What the bulk writers share: binary COPY with types from the catalogue, and the
model defaults of columns a hand-written INSERT does not name."""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import contextmanager

from psycopg.types.json import Jsonb


def model_defaults(model, explicit: Iterable[str]) -> dict[str, object]:
    """Every other column of `model` with its model default, so a column added to the
    model later never breaks these hand-written INSERTs."""
    from django.utils import timezone

    explicit = set(explicit)
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.column in explicit or field.primary_key:
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        defaults[field.column] = timezone.now() if auto else field.get_default()
    return defaults


def temp_table_like(cur, name: str, table: str, columns: Iterable[str]) -> None:
    """A session's staging table with `table`'s types for `columns`, emptied at commit."""
    cur.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS "
        f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
    )


@contextmanager
def binary_copy(cur, model_table: str, target: str, columns: tuple[str, ...]):
    """COPY in binary format: encrypted columns travel as raw bytes rather than hex
    text, and rows are cheaper to format. Types come from `model_table`."""
    types = column_types(cur, model_table)  # before the COPY starts: no queries during it
    with cur.copy(f"COPY {target} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([types[c] for c in columns])
        yield copy


_TYPES: dict[str, dict[str, int]] = {}


def column_types(cur, table: str) -> dict[str, int]:
    """Column name → type oid, read from the catalogue (once per process) so a type
    changed by a migration is followed rather than hard-coded here."""
    if table not in _TYPES:
        cur.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0", [table])
        _TYPES[table] = dict(cur.fetchall())
    return _TYPES[table]


def adapt(value):
    return Jsonb(value) if isinstance(value, dict | list) else value


def to_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
