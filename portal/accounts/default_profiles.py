"""Connect's default security profiles, as this portal grants them."""

from portal.accounts import permissions as p

DEFAULT_PROFILES: dict[str, list[str]] = {
    # Connect's Admin is not restricted by hierarchy: with the restriction and no group it would see nothing.
    "Admin": sorted(p.ALL_NAMES - {p.RESTRICT_BY_HIERARCHY}),
    "CallCenterManager": [
        p.CONTACT_SEARCH, p.RESTRICT_BY_HIERARCHY, p.SEARCH_CHARACTERISTICS, p.SEARCH_CHARACTERISTICS_VIEW,
        p.SEARCH_KEYWORDS, p.SEARCH_KEYWORDS_VIEW, p.CONTACT_ATTRIBUTES, p.GRAPH_TRENDS,
        p.RECORDINGS_REDACTED, p.RECORDINGS_UNREDACTED, p.RECORDINGS_REDACTED_DOWNLOAD,
        p.RECORDINGS_UNREDACTED_DOWNLOAD, p.TRANSCRIPTS_REDACTED, p.TRANSCRIPTS_UNREDACTED,
        p.TRANSCRIPTS_UNREDACTED_DOWNLOAD, p.USERS_VIEW, p.TIME_CARD,
    ],
    "QualityAnalyst": [
        p.CONTACT_SEARCH, p.SEARCH_CHARACTERISTICS, p.SEARCH_CHARACTERISTICS_VIEW, p.SEARCH_KEYWORDS,
        p.SEARCH_KEYWORDS_VIEW, p.GRAPH_TRENDS, p.RECORDINGS_REDACTED, p.TRANSCRIPTS_REDACTED,
    ],
    "Agent": [p.MY_CONTACTS, p.RECORDINGS_REDACTED, p.TRANSCRIPTS_REDACTED],
}  # fmt: skip
