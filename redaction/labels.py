"""The redactor's entity types as a reader names them, in the user's language."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

PII_TYPE_LABELS = {
    "NAME": pgettext_lazy("personal data", "Name"),
    "ADDRESS": pgettext_lazy("personal data", "Address"),
    "PHONE": pgettext_lazy("personal data", "Phone number"),
    "POSTCODE": pgettext_lazy("personal data", "Postal code"),
    "CREDIT_DEBIT_NUMBER": pgettext_lazy("personal data", "Card number"),
    "EMAIL": pgettext_lazy("personal data", "Email address"),
    "DATE_OF_BIRTH": pgettext_lazy("personal data", "Date of birth"),
    "ACCOUNT_NUMBER": pgettext_lazy("personal data", "Account number"),
}


def pii_type_label(value: str) -> str:
    """A type the redactor adds later shows as it is named, so nothing disappears."""
    return str(PII_TYPE_LABELS.get(value, value))
