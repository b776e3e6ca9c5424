"""Connect's security-profile permissions, by their API names.

Grouped and labelled as Connect's console shows them, so a Connect administrator
recognises every box.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Permission:
    name: str
    label: str
    section: str


CONTACT_SEARCH = "ContactSearch.View"
MY_CONTACTS = "MyContacts.View"
RESTRICT_BY_HIERARCHY = "RestrictContactAccessByHierarchy.View"
SEARCH_CHARACTERISTICS = "ContactSearchWithCharacteristics.Access"
SEARCH_CHARACTERISTICS_VIEW = "ContactSearchWithCharacteristics.View"
SEARCH_KEYWORDS = "ContactSearchWithKeywords.Access"
SEARCH_KEYWORDS_VIEW = "ContactSearchWithKeywords.View"
CONTACT_ATTRIBUTES = "ContactAttributes.View"
CONFIGURE_ATTRIBUTES = "ConfigureContactAttributes.View"
GRAPH_TRENDS = "GraphTrends.View"
USERS_VIEW = "Users.View"
USERS_EDIT = "Users.Edit"
SECURITY_PROFILES_VIEW = "SecurityProfiles.View"
SECURITY_PROFILES_EDIT = "SecurityProfiles.Edit"
HIERARCHY_VIEW = "AgentGrouping.View"
HIERARCHY_CREATE = "AgentGrouping.Create"
HIERARCHY_EDIT = "AgentGrouping.Edit"
TIME_CARD = "AgentTimeCard.View"
HISTORICAL_CHANGES = "HistoricalChanges.View"
RECORDINGS_REDACTED = "CallRecordings.Redacted.Access"
RECORDINGS_UNREDACTED = "CallRecordings.Unredacted.Access"
RECORDINGS_REDACTED_DOWNLOAD = "CallRecordings.Redacted.DownloadButton"
RECORDINGS_UNREDACTED_DOWNLOAD = "CallRecordings.Unredacted.DownloadButton"
TRANSCRIPTS_REDACTED = "ContactTranscripts.Redacted.Access"
TRANSCRIPTS_UNREDACTED = "ContactTranscripts.Unredacted.Access"
TRANSCRIPTS_UNREDACTED_DOWNLOAD = "ContactTranscripts.Unredacted.DownloadButton"
DELETE_RECORDINGS = "DeleteCallRecordings"

_SEARCH = _("Analytics and Optimization")
_USERS = _("Users and permissions")
_RECORDINGS = _("Recordings and transcripts")

CATALOGUE: tuple[Permission, ...] = (
    Permission(CONTACT_SEARCH, _("Contact search – View"), _SEARCH),
    Permission(MY_CONTACTS, _("View my contacts"), _SEARCH),
    Permission(RESTRICT_BY_HIERARCHY, _("Restrict contact access"), _SEARCH),
    Permission(SEARCH_CHARACTERISTICS, _("Search contacts by conversation characteristics"), _SEARCH),
    Permission(SEARCH_CHARACTERISTICS_VIEW, _("Search contacts by conversation characteristics – View"), _SEARCH),
    Permission(SEARCH_KEYWORDS, _("Search contacts by keywords"), _SEARCH),
    Permission(SEARCH_KEYWORDS_VIEW, _("Search contacts by keywords – View"), _SEARCH),
    Permission(CONTACT_ATTRIBUTES, _("Contact attributes – View"), _SEARCH),
    Permission(CONFIGURE_ATTRIBUTES, _("Configure searchable contact attributes"), _SEARCH),
    Permission(GRAPH_TRENDS, _("Contact Lens – conversational analytics"), _SEARCH),
    Permission(TIME_CARD, _("Login/logout report – View"), _SEARCH),
    Permission(HISTORICAL_CHANGES, _("View historical changes"), _SEARCH),
    Permission(USERS_VIEW, _("Users – View"), _USERS),
    Permission(USERS_EDIT, _("Users – Edit"), _USERS),
    Permission(SECURITY_PROFILES_VIEW, _("Security profiles – View"), _USERS),
    Permission(SECURITY_PROFILES_EDIT, _("Security profiles – Edit"), _USERS),
    Permission(HIERARCHY_VIEW, _("Agent hierarchy – View"), _USERS),
    Permission(HIERARCHY_CREATE, _("Agent hierarchy – Create"), _USERS),
    Permission(HIERARCHY_EDIT, _("Agent hierarchy – Edit"), _USERS),
    Permission(RECORDINGS_REDACTED, _("Call recordings (redacted) – Access"), _RECORDINGS),
    Permission(RECORDINGS_UNREDACTED, _("Call recordings (unredacted) – Access"), _RECORDINGS),
    Permission(RECORDINGS_REDACTED_DOWNLOAD, _("Call recordings (redacted) – Enable download button"), _RECORDINGS),
    Permission(
        RECORDINGS_UNREDACTED_DOWNLOAD, _("Call recordings (unredacted) – Enable download button"), _RECORDINGS
    ),
    Permission(TRANSCRIPTS_REDACTED, _("Contact transcripts (redacted) – Access"), _RECORDINGS),
    Permission(TRANSCRIPTS_UNREDACTED, _("Contact transcripts (unredacted) – Access"), _RECORDINGS),
    Permission(
        TRANSCRIPTS_UNREDACTED_DOWNLOAD, _("Contact transcripts (unredacted) – Enable download button"), _RECORDINGS
    ),
    Permission(DELETE_RECORDINGS, _("Delete recorded conversations"), _RECORDINGS),
)
ALL_NAMES: frozenset[str] = frozenset(p.name for p in CATALOGUE)

# Connect's older names, converted on import.
LEGACY: dict[str, tuple[str, ...]] = {
    "RedactedData.View": (RECORDINGS_REDACTED, TRANSCRIPTS_REDACTED),
    "ListenCallRecordings": (RECORDINGS_UNREDACTED, TRANSCRIPTS_UNREDACTED),
    "DownloadCallRecordings": (
        RECORDINGS_REDACTED_DOWNLOAD,
        RECORDINGS_UNREDACTED_DOWNLOAD,
        TRANSCRIPTS_UNREDACTED_DOWNLOAD,
    ),
}

# As in Connect, ticking Download or Delete ticks the matching Access.
IMPLIES: dict[str, tuple[str, ...]] = {
    RECORDINGS_REDACTED_DOWNLOAD: (RECORDINGS_REDACTED,),
    RECORDINGS_UNREDACTED_DOWNLOAD: (RECORDINGS_UNREDACTED,),
    TRANSCRIPTS_UNREDACTED_DOWNLOAD: (TRANSCRIPTS_UNREDACTED,),
    DELETE_RECORDINGS: (RECORDINGS_UNREDACTED, RECORDINGS_REDACTED),
    SEARCH_CHARACTERISTICS: (SEARCH_CHARACTERISTICS_VIEW,),
    SEARCH_KEYWORDS: (SEARCH_KEYWORDS_VIEW,),
}

# Permissions whose holders must enrol in MFA before using the portal.
MFA_REQUIRED_FOR: frozenset[str] = frozenset(
    {RECORDINGS_UNREDACTED, TRANSCRIPTS_UNREDACTED, DELETE_RECORDINGS}
)


class UnknownPermission(ValueError):
    pass


def normalise(names: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """Map legacy names, add implied ones, refuse unknown ones; sorted and unique."""
    result: set[str] = set()
    unknown = []
    for name in names:
        if name in LEGACY:
            result.update(LEGACY[name])
        elif name in ALL_NAMES:
            result.add(name)
        else:
            unknown.append(name)
    if unknown:
        raise UnknownPermission("Unknown permission name(s): " + ", ".join(sorted(unknown)))
    for name in list(result):
        result.update(IMPLIES.get(name, ()))
    return sorted(result)
