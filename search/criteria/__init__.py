"""What a contact search asks for, read from the API's JSON or the page's form.

Both parsers produce one `SearchCriteria`, so the page and the API share the filters,
the validation and the permission rule (`criteria_check_permissions`).
"""

from search.criteria.api import ApiRequest, criteria_from_api
from search.criteria.form import criteria_from_form
from search.criteria.model import (
    ASCENDING,
    CHANNELS,
    DESCENDING,
    INITIATION_METHODS,
    INVALID_PARAMETER,
    INVALID_REQUEST,
    MATCH_ALL,
    MATCH_ANY,
    MATCH_NONE,
    MAX_SEARCH_TEXT,
    NOT_FOUND,
    PARTICIPANT_ROLES,
    RECORDING_STATUSES,
    SORT_FIELDS,
    TIME_TYPES,
    AttributeCriterion,
    CategoryCriterion,
    CriteriaError,
    NonTalkCriterion,
    SearchCriteria,
    SearchPermissionDenied,
    SentimentCriterion,
    Term,
    TextCriterion,
    criteria_from_dict,
    parse_terms,
    parse_time,
    phone_e164,
    resource_id,
    validate,
)
from search.criteria.permissions import allowed_filters, criteria_check_permissions

__all__ = [
    "ASCENDING", "CHANNELS", "DESCENDING", "INITIATION_METHODS", "INVALID_PARAMETER", "INVALID_REQUEST",
    "MATCH_ALL", "MATCH_ANY", "MATCH_NONE", "MAX_SEARCH_TEXT", "NOT_FOUND", "PARTICIPANT_ROLES",
    "RECORDING_STATUSES", "SORT_FIELDS", "TIME_TYPES", "ApiRequest", "AttributeCriterion", "CategoryCriterion",
    "CriteriaError", "NonTalkCriterion", "SearchCriteria", "SearchPermissionDenied", "SentimentCriterion", "Term",
    "TextCriterion", "allowed_filters", "criteria_check_permissions", "criteria_from_api", "criteria_from_dict",
    "criteria_from_form", "parse_terms", "parse_time", "phone_e164", "resource_id", "validate",
]  # fmt: skip
