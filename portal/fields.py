"""A text column whose values are personal data: sealed with the instance key in the
database, plain text in Python. Empty stays empty, so "no reason" needs no key."""

from __future__ import annotations

import base64

from django.db import models

from portal import crypto

_PREFIX = "sealed:v1:"


def seal_text(value: str | None, *, context: str) -> str:
    if not value:
        return ""
    return _PREFIX + base64.b64encode(crypto.encrypt(value.encode(), context=context)).decode()


def unseal_text(stored: str | None, *, context: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(_PREFIX):
        return stored  # written before the column was sealed; the migration seals these
    return crypto.decrypt(base64.b64decode(stored[len(_PREFIX) :]), context=context).decode()


class SealedTextField(models.TextField):
    """The associated data is the column's name (`app_label.model.field`), not the row:
    bulk SQL (ingest, copies between tables) writes and copies these values without
    the ORM, and a value moved into another kind of column still fails to decrypt."""

    def contribute_to_class(self, cls, name, *args, **kwargs) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.seal_context = f"{cls._meta.label_lower}.{name}"

    def seal(self, value: str | None) -> str:
        return seal_text(value, context=self.seal_context)

    def from_db_value(self, value, expression, connection):
        return unseal_text(value, context=self.seal_context)

    def get_prep_value(self, value):
        return self.seal(super().get_prep_value(value))
