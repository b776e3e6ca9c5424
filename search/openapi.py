"""The OpenAPI 3.1 description of every `/api/v1/` endpoint (INTERFACES.md §4).

Written by hand: the endpoints mirror Connect's shapes, which no serializer here
generates, and a document kept next to the search API is easy to review with it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from search.criteria import (
    CHANNELS,
    INITIATION_METHODS,
    MAX_SEARCH_TEXT,
    PARTICIPANT_ROLES,
    RECORDING_STATUSES,
    SORT_FIELDS,
    TIME_TYPES,
)
from search.criteria.model import (
    MAX_ATTRIBUTE_CRITERIA,
    MAX_ATTRIBUTE_VALUES,
    MAX_CATEGORIES,
    MAX_GROUP_IDS,
    MAX_TRANSCRIPT_CRITERIA,
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _strings(max_items: int | None = None, enum: tuple[str, ...] = (), max_length: int = 256) -> dict:
    item: dict[str, Any] = {"type": "string"}
    if enum:
        item["enum"] = list(enum)
        max_items = max_items or len(enum)  # counted before repeats are dropped
    else:
        item["maxLength"] = max_length
    schema: dict[str, Any] = {"type": "array", "items": item}
    if max_items:
        schema["maxItems"] = max_items
    return schema


# Comma-separated terms, each with a letter or digit; a double-quoted term is a phrase.
_TERM = '(?:"[^"]*\\w[^"]*"|[^",]*\\w[^",]*)'
_SEARCH_TEXT = {"type": "string", "maxLength": MAX_SEARCH_TEXT, "pattern": f"^\\s*{_TERM}\\s*(?:,\\s*{_TERM}\\s*)*$"}
_PHONE = {
    "type": "string",
    "maxLength": 64,
    "format": "phone-number",
    "description": "A phone number in any common format (E.164, international or Japanese national); "
    "compared as E.164. A number libphonenumber does not accept is compared by its digits as written, "
    "as Connect recorded it. A string without digits is refused with InvalidParameterException.",
}


def _bounded(kind: str, low: float, high: float) -> dict:
    return {"type": kind, "minimum": low, "maximum": high}


# Year 9999 is as far as ISO 8601 (and Python) go.
_LAST_EPOCH_SECOND = 253402300799
_TIME = {
    "oneOf": [
        {"type": "string", "format": "date-time"},
        {"type": "number", "minimum": 0, "maximum": _LAST_EPOCH_SECOND, "description": "epoch seconds"},
    ],
}
# What the API writes: ISO 8601 in UTC (epoch seconds in Connect's own operations).
_TIME_OUT = {"type": "string", "format": "date-time"}
_MATCH = {"type": "string", "enum": ["MATCH_ALL", "MATCH_ANY"]}
_SCORE = {"type": "number", "minimum": -5, "maximum": 5}


_REASON = {"type": "string", "maxLength": 1000, "pattern": "\\S", "description": "Why (kept in the audit log)."}


def _error(description: str) -> dict:
    return {
        "description": description,
        "headers": {"x-amzn-ErrorType": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": _ref("Error")}},
    }


_ERRORS = {
    "400": _error("InvalidRequestException or InvalidParameterException"),
    "401": _error("AccessDeniedException: no or bad credentials"),
    "403": _error("AccessDeniedException: a permission is missing (named in Message)"),
    "404": _error(
        "ResourceNotFoundException: missing, or not visible to the caller; or the recording or transcript "
        "version asked for does not exist (or no longer), the Message saying why"
    ),
    "429": _error("ThrottlingException"),
}
# Where the answer depends on S3 or the task queue.
_STORAGE_ERRORS = {**_ERRORS, "503": _error("ServiceUnavailableException: storage or the task queue is unreachable")}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _contact_id_param() -> dict:
    return {"name": "ContactId", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 256}}


def _connect_paths() -> dict:
    """Connect's own read operations at the AWS model's paths (the AWS CLI and SDKs call these)."""
    instance = {"name": "InstanceId", "in": "path", "required": True,
                "description": "The portal's instance id or ARN",
                "schema": {"type": "string", "pattern": "^(arn:[^/]+/)?[^/]+$", "maxLength": 512}}  # fmt: skip
    initial = {"name": "InitialContactId", "in": "path", "required": True,
               "schema": {"type": "string", "pattern": "^[^/]+$", "maxLength": 256}}  # fmt: skip
    connect_contact_id = {
        "name": "ContactId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    return {
        "/api/v1/contacts/{InstanceId}/{ContactId}": {
            "get": {
                "operationId": "ConnectDescribeContact",
                "summary": "Connect's DescribeContact: the Contact shape, timestamps in epoch seconds; "
                "attributes need ContactAttributes.View.",
                "parameters": [instance, connect_contact_id],
                "responses": {"200": {"description": "The contact", **_json({"type": "object"})}, **_ERRORS},
            }
        },
        "/api/v1/contact/attributes/{InstanceId}/{InitialContactId}": {
            "get": {
                "operationId": "ConnectGetContactAttributes",
                "summary": "Connect's GetContactAttributes; needs ContactAttributes.View.",
                "parameters": [instance, initial],
                "responses": {"200": {"description": "The attributes", **_json({"type": "object"})}, **_ERRORS},
            }
        },
    }


_SEARCH_CRITERIA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "AgentIds": _strings(100),
        "QueueIds": _strings(100),
        "RoutingProfileIds": _strings(100),
        "Channels": _strings(enum=CHANNELS),
        "InitiationMethods": _strings(enum=INITIATION_METHODS),
        "DisconnectReasons": _strings(20, max_length=64),
        "AgentHierarchyGroups": {
            "type": "object",
            "properties": {f"L{level}Ids": _strings(MAX_GROUP_IDS) for level in range(1, 6)},
        },
        "ContactAnalysis": {
            "type": "object",
            "properties": {
                "Transcript": {
                    "type": "object",
                    "required": ["Criteria"],
                    "properties": {
                        "Criteria": {
                            "type": "array",
                            "maxItems": MAX_TRANSCRIPT_CRITERIA,
                            "items": {
                                "type": "object",
                                "required": ["ParticipantRole", "SearchText", "MatchType"],
                                "properties": {
                                    "ParticipantRole": {"type": "string", "enum": list(PARTICIPANT_ROLES)},
                                    "SearchText": {
                                        "type": "array",
                                        "minItems": 1,
                                        "maxItems": 100,
                                        "items": _SEARCH_TEXT,
                                    },
                                    "MatchType": _MATCH,
                                },
                            },
                        },
                        "MatchType": _MATCH,
                    },
                }
            },
            "description": "Needs ContactSearchWithKeywords.Access. Comma-separated terms; double quotes make a "
            "phrase. Only text the caller may read is matched.",
        },
        "SearchableContactAttributes": {
            "type": "object",
            "required": ["Criteria"],
            "description": "Needs ContactAttributes.View; only keys made searchable by an administrator.",
            "properties": {
                "Criteria": {
                    "type": "array",
                    "maxItems": MAX_ATTRIBUTE_CRITERIA,
                    "items": {
                        "type": "object",
                        "required": ["Key", "Values"],
                        "properties": {
                            "Key": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 100,
                                "description": "One of the keys an administrator made searchable "
                                "(manage.py searchable_attribute list); any other key is refused.",
                            },
                            "Values": {**_strings(MAX_ATTRIBUTE_VALUES, max_length=100), "minItems": 1},
                        },
                    },
                },
                "MatchType": _MATCH,
            },
        },
        "ContactId": {
            "type": "string",
            "maxLength": 64,
            "description": "One contact; the other criteria are ignored.",
        },
        "CustomerPhoneNumber": _PHONE,
        "SystemPhoneNumber": _PHONE,
        "HasRecording": {"type": "boolean"},
        "RecordingStatuses": _strings(enum=RECORDING_STATUSES),
        "MinDurationSeconds": {**_bounded("integer", 0, 10**9), "description": "At most MaxDurationSeconds."},
        "MaxDurationSeconds": _bounded("integer", 0, 10**9),
        "Sentiment": {
            "type": "object",
            "required": ["ParticipantRole"],
            "description": "Needs ContactSearchWithCharacteristics.Access. Each minimum at most its maximum.",
            "properties": {
                "ParticipantRole": {"type": "string", "enum": ["AGENT", "CUSTOMER"]},
                "Type": {"type": "string", "enum": ["SCORE", "SHIFT"]},
                **{name: _SCORE for name in ("Min", "Max", "BeginMin", "BeginMax", "EndMin", "EndMax")},
            },
        },
        "NonTalkTime": {
            "type": "object",
            "description": "Needs ContactSearchWithCharacteristics.Access. Each minimum at most its maximum.",
            "properties": {
                "MinMillis": _bounded("integer", 0, 10**10),
                "MaxMillis": _bounded("integer", 0, 10**10),
                "MinPercent": _bounded("number", 0, 100),
                "MaxPercent": _bounded("number", 0, 100),
            },
        },
        "Interruptions": {
            "type": "object",
            "description": "Needs ContactSearchWithCharacteristics.Access. Min at most Max.",
            "properties": {"Min": _bounded("integer", 0, 10**6), "Max": _bounded("integer", 0, 10**6)},
        },
        "Categories": {
            "type": "object",
            "required": ["Names"],
            "description": "Needs ContactSearchWithCharacteristics.Access. MATCH_NONE: analysed contacts "
            "without any of the names.",
            "properties": {
                "Names": _strings(MAX_CATEGORIES),
                "MatchType": {"type": "string", "enum": ["MATCH_ANY", "MATCH_ALL", "MATCH_NONE"]},
            },
        },
    },
}

_SUMMARY = {
    "type": "object",
    "properties": {
        "Arn": {"type": "string"},
        "Id": {"type": "string"},
        "InitialContactId": {"type": "string"},
        "PreviousContactId": {"type": "string"},
        "InitiationMethod": {"type": "string"},
        "Channel": {"type": "string"},
        "QueueInfo": {
            "type": "object",
            "properties": {"Id": {"type": "string"}, "Name": {"type": "string"}, "EnqueueTimestamp": _TIME},
        },
        "AgentInfo": {
            "type": "object",
            "properties": {
                "Id": {"type": "string"},
                "Username": {"type": "string"},
                "ConnectedToAgentTimestamp": _TIME,
            },
        },
        "InitiationTimestamp": _TIME,
        "DisconnectTimestamp": _TIME,
        "ScheduledTimestamp": _TIME,
    },
}


def _search_contacts() -> dict:
    request = {
        "type": "object",
        "required": ["TimeRange"],
        "additionalProperties": False,
        "properties": {
            "InstanceId": {
                "type": "string",
                "maxLength": 512,
                "description": "Optional; the portal serves one instance (any other is ResourceNotFoundException).",
            },
            "TimeRange": {
                "type": "object",
                "required": ["Type", "StartTime", "EndTime"],
                "properties": {
                    "Type": {"type": "string", "enum": list(TIME_TYPES)},
                    "StartTime": {**_TIME, "description": "Before EndTime; otherwise InvalidParameterException."},
                    "EndTime": _TIME,
                },
                "description": "Not required when SearchCriteria.ContactId is given.",
            },
            "SearchCriteria": _ref("SearchCriteria"),
            "MaxResults": {"type": "integer", "minimum": 1, "maximum": 100, "default": 100},
            "NextToken": {
                "type": "string",
                "maxLength": 100000,
                "description": "The NextToken of the previous page of the same search, unchanged; any other "
                "value is refused with InvalidParameterException.",
            },
            "Sort": {
                "type": "object",
                "required": ["FieldName", "Order"],
                "properties": {
                    "FieldName": {"type": "string", "enum": list(SORT_FIELDS)},
                    "Order": {"type": "string", "enum": ["ASCENDING", "DESCENDING"]},
                },
            },
        },
    }
    response = {
        "type": "object",
        "required": ["Contacts", "TotalCount"],
        "properties": {
            "Contacts": {"type": "array", "items": _ref("ContactSearchSummary")},
            "NextToken": {"type": "string", "description": "Opaque, signed, bound to the caller and the search."},
            "TotalCount": {
                "type": "integer",
                "minimum": 0,
                "description": "Exact up to SEARCH_RESULT_CAP (10,000).",
            },
        },
    }
    example = {
        "TimeRange": {"Type": "INITIATION_TIMESTAMP", "StartTime": "2020-01-01T00:00:00Z", "EndTime": 1893456000},
        "MaxResults": 10,
    }
    return {
        "post": {
            "operationId": "SearchContacts",
            "summary": "Search the contacts the caller may see (Connect's SearchContacts).",
            "requestBody": {"required": True, "content": {"application/json": {"schema": request, "example": example}}},
            "responses": {
                "200": {"description": "A page of contacts", **_json(response), "links": _search_links()},
                **_ERRORS,
            },
        }
    }


def _search_links() -> dict:
    """From a search result to what a caller does next with its first contact."""
    first = "$response.body#/Contacts/0/Id"
    instance_id = settings.CONNECT_INSTANCE_ARN.rsplit("/", 1)[-1]
    return {
        "DescribeContact": {"operationId": "DescribeContact", "parameters": {"ContactId": first}},
        "GetTranscript": {"operationId": "GetTranscript", "parameters": {"ContactId": first}},
        "FetchRecording": {
            "operationId": "FetchRecording",
            "parameters": {"ContactId": first},
            "requestBody": {"Version": "REDACTED", "Wait": 5},
        },
        "DownloadRecording": {"operationId": "DownloadRecording", "parameters": {"ContactId": first}},
        "ConnectDescribeContact": {
            "operationId": "ConnectDescribeContact",
            "parameters": {"InstanceId": instance_id, "ContactId": first},
        },
        "ConnectGetContactAttributes": {
            "operationId": "ConnectGetContactAttributes",
            "parameters": {"InstanceId": instance_id, "InitialContactId": first},
        },
    }


def _contact_links() -> dict:
    contact = "$request.path.ContactId"
    return {
        "GetTranscript": {"operationId": "GetTranscript", "parameters": {"ContactId": contact}},
        "FetchRecording": {
            "operationId": "FetchRecording",
            "parameters": {"ContactId": contact},
            "requestBody": {"Version": "REDACTED", "Wait": 5},
        },
        "DownloadRecording": {"operationId": "DownloadRecording", "parameters": {"ContactId": contact}},
    }


def _contact_paths() -> dict:
    turn = {
        "type": "object",
        "properties": {
            "ParticipantRole": {"type": "string"},
            "BeginOffsetMillis": {"type": ["integer", "null"]},
            "EndOffsetMillis": {"type": ["integer", "null"]},
            "Content": {"type": "string"},
            "Sentiment": {"type": ["string", "null"]},
            "RedactedTypes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Only on turns the portal redacted: the kinds of personal data it removed "
                "(NAME, ADDRESS, PHONE, POSTCODE, CREDIT_DEBIT_NUMBER, EMAIL, DATE_OF_BIRTH, ACCOUNT_NUMBER).",
            },
        },
    }
    redacted_by = {
        "type": ["object", "null"],
        "description": "Who made the redacted version: CONTACT_LENS, or PORTAL (with its redactor's version) "
        "for a language Contact Lens does not redact (PORTAL_REDACT_LANGUAGES).",
        "properties": {
            "By": {"type": "string", "enum": ["CONTACT_LENS", "PORTAL"]},
            "RedactorVersion": {"type": ["string", "null"]},
        },
    }
    transcript = {
        "type": "object",
        "required": ["ContactId", "Version", "State", "Transcript"],
        "properties": {
            "ContactId": {"type": "string"},
            "Version": {"type": ["string", "null"], "enum": ["REDACTED", "ORIGINAL", None]},
            "State": {"type": "string"},
            "Transcript": {"type": "array", "items": turn},
            "RedactedBy": {
                **redacted_by,
                "description": "Present for the redacted version. " + redacted_by["description"],
            },
        },
    }
    reason_param = {
        "name": "reason",
        "in": "query",
        "description": "Why the original is read (kept in the audit log); required, not blank, for "
        "version=original (InvalidRequestException without it).",
        "schema": {"type": "string", "maxLength": 1000},
    }
    version_param = {
        "name": "version",
        "in": "query",
        "description": "Case does not matter.",
        "schema": {"type": "string", "enum": ["redacted", "original"], "default": "redacted"},
    }
    deletion = {"type": "object", "required": ["Status"], "properties": {"Status": {"type": ["string", "null"]}}}
    return {
        "/api/v1/contacts/{ContactId}": {
            "get": {
                "operationId": "DescribeContact",
                "summary": "The record's fields the caller may see; attributes need ContactAttributes.View, "
                "analytics GraphTrends.View.",
                "parameters": [_contact_id_param()],
                "responses": {
                    "200": {
                        "description": "The contact",
                        **_json(
                            {
                                "type": "object",
                                "required": ["Contact"],
                                "properties": {
                                    "Contact": {
                                        "type": "object",
                                        "required": ["Id", "Channel"],
                                        "properties": {
                                            "Recording": {"type": "object", "properties": {"RedactedBy": redacted_by}},
                                            "Transcript": {"type": "object", "properties": {"RedactedBy": redacted_by}},
                                        },
                                    }
                                },
                            }
                        ),
                        "links": _contact_links(),
                    },
                    **_ERRORS,
                },
            }
        },
        "/api/v1/contacts/{ContactId}/transcript": {
            "get": {
                "operationId": "GetTranscript",
                "summary": "Transcript turns; the original needs ContactTranscripts.Unredacted.Access and a reason.",
                "parameters": [_contact_id_param(), version_param, reason_param],
                "responses": {"200": {"description": "Turns", **_json(transcript)}, **_STORAGE_ERRORS},
            }
        },
        "/api/v1/contacts/{ContactId}/recording/fetch": {
            "post": {
                "operationId": "FetchRecording",
                "summary": "Ask a worker to fetch the recording from S3.",
                "parameters": [_contact_id_param()],
                "requestBody": _json(
                    {
                        "type": "object",
                        "required": ["Version"],
                        # The original needs a reason (audited); the redacted version does not.
                        "oneOf": [
                            {"properties": {"Version": {"const": "REDACTED"}}},
                            {
                                "properties": {"Version": {"const": "ORIGINAL"}, "Reason": _REASON},
                                "required": ["Reason"],
                            },
                        ],
                        "properties": {
                            "Version": {"type": "string", "enum": ["REDACTED", "ORIGINAL"]},
                            "Reason": {"type": "string", "maxLength": 1000},
                            "Wait": {
                                "type": "number",
                                "minimum": 0,
                                "maximum": 10,
                                "description": "Seconds to wait for the fetch to finish before answering.",
                            },
                        },
                    }
                ),
                "responses": {
                    "202": {
                        "description": "Job queued",
                        **_json(_ref("RecordingJob")),
                        "links": {
                            "DescribeRecordingJob": {
                                "operationId": "DescribeRecordingJob",
                                "parameters": {"JobId": "$response.body#/JobId"},
                            }
                        },
                    },
                    **_STORAGE_ERRORS,
                },
            }
        },
        "/api/v1/contacts/{ContactId}/recording/download": {
            "get": {
                "operationId": "DownloadRecording",
                "summary": "The WAV as an attachment; needs the matching DownloadButton permission.",
                "parameters": [_contact_id_param(), version_param, reason_param],
                "responses": {
                    "200": {"description": "<ContactId>.wav", "content": {"audio/wav": {}}},
                    **_STORAGE_ERRORS,
                },
            }
        },
        "/api/v1/contacts/{ContactId}/recording": {
            "delete": {
                "operationId": "DeleteRecording",
                "summary": "Delete every object of the recording; needs DeleteCallRecordings.",
                "parameters": [_contact_id_param()],
                "requestBody": _json(
                    {
                        "type": "object",
                        "required": ["Reason"],
                        "properties": {"Reason": {"type": "string", "minLength": 1, "maxLength": 1000}},
                    }
                ),
                "responses": {
                    "200": {"description": "Deleted", **_json(deletion)},
                    "202": {"description": "Deletion in progress", **_json(deletion)},
                    "409": _error("ResourceConflictException: the contact is on legal hold"),
                    **_STORAGE_ERRORS,
                },
            }
        },
    }


_TIME_QUERY = {
    "anyOf": [
        {"type": "string", "format": "date-time"},
        {"type": "string", "pattern": "^[0-9]{1,11}(\\.[0-9]{1,6})?$", "description": "epoch seconds"},
    ],
    "description": "No matter the order of since and until: a range that is empty finds nothing.",
}
_AUDIT_EVENTS = {
    "type": "object",
    "required": ["AuditEvents", "NextToken"],
    "properties": {
        "AuditEvents": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["Id", "Time", "Action"],
                "properties": {
                    "Id": {"type": "integer"},
                    "Time": _TIME_OUT,
                    "User": {"type": ["string", "null"]},
                    "Action": {"type": "string"},
                    "ContactId": {"type": ["string", "null"]},
                    "IpAddress": {"type": ["string", "null"]},
                    "Details": {},
                },
            },
        },
        "NextToken": {"type": ["string", "null"], "description": "Pass as next_token for the older events."},
    },
}


def _other_paths() -> dict:
    return {
        "/api/v1/recording-jobs/{JobId}": {
            "get": {
                "operationId": "DescribeRecordingJob",
                "summary": "A fetch job of the caller's own.",
                "parameters": [
                    {"name": "JobId", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}},
                    {
                        "name": "wait",
                        "in": "query",
                        "description": "Seconds to wait for the job to finish before answering.",
                        "schema": {"type": "number", "minimum": 0, "maximum": 10},
                    },
                ],
                "responses": {"200": {"description": "The job", **_json(_ref("RecordingJob"))}, **_ERRORS},
            }
        },
        "/api/v1/audit-events": {
            "get": {
                "operationId": "ListAuditEvents",
                "summary": "The audit log; needs HistoricalChanges.View.",
                "parameters": [
                    *(
                        {"name": name, "in": "query", "schema": {"type": "string", "maxLength": 256}}
                        for name in ("user", "action", "contact_id")
                    ),
                    *({"name": name, "in": "query", "schema": _TIME_QUERY} for name in ("since", "until")),
                    {"name": "max_results", "in": "query", "schema": _bounded("integer", 1, 10**6)},
                    {
                        "name": "next_token",
                        "in": "query",
                        "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,17}$"},
                    },
                ],
                "responses": {"200": {"description": "Events, newest first", **_json(_AUDIT_EVENTS)}, **_ERRORS},
            }
        },
    }


_BULK_ERRORS = {
    **_STORAGE_ERRORS,
    "409": _error("ResourceConflictException: the search finds no contacts, or not ExpectedCount of them"),
}


def _bulk_links() -> dict:
    return {
        "DescribeBulkAction": {
            "operationId": "DescribeBulkAction",
            "parameters": {"BulkActionId": "$response.body#/BulkActionId"},
        }
    }


def _bulk_paths() -> dict:
    """Bulk actions over the results of a search: the body carries SearchContacts' criteria."""
    search = _search_contacts()["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    criteria = {key: search[key] for key in ("InstanceId", "TimeRange", "SearchCriteria", "Sort")}
    count = {
        "type": "integer",
        "minimum": 0,
        "maximum": settings.BULK_ACTION_MAX_CONTACTS,
        "description": "The number of contacts the search finds, as confirmation: any other number, or a search "
        "finding none, is refused with ResourceConflictException; a search finding more than "
        "BULK_ACTION_MAX_CONTACTS with InvalidRequestException.",
    }
    start = {
        "type": "object",
        "required": ["Action", "Reason", "ExpectedCount", "TimeRange"],
        "additionalProperties": False,
        "properties": {
            "Action": {"type": "string", "enum": ["SET_LEGAL_HOLD", "CLEAR_LEGAL_HOLD", "DELETE_RECORDINGS"]},
            "Reason": _REASON,
            "ExpectedCount": count,
            **criteria,
        },
    }
    started = {
        "type": "object",
        "required": ["BulkActionId", "Count", "Status"],
        "properties": {
            "BulkActionId": {"type": "string"},
            "Count": {"type": "integer", "minimum": 1},
            "Status": {"type": "string", "enum": ["QUEUED", "RUNNING", "DONE", "FAILED"]},
        },
    }
    outcome = ["DELETED", "SKIPPED_LEGAL_HOLD", "SKIPPED_NO_RECORDING", "SKIPPED_ALREADY_DELETED",
               "LEGAL_HOLD_SET", "LEGAL_HOLD_CLEARED", "FAILED"]  # fmt: skip
    job = {
        "type": "object",
        "required": ["BulkActionId", "Action", "Status", "Count", "Done", "Outcomes", "Contacts"],
        "properties": {
            **started["properties"],
            "Action": start["properties"]["Action"],
            "Message": {"type": "string"},
            "Done": {"type": "integer", "minimum": 0},
            "Outcomes": {"type": "object", "additionalProperties": {"type": "integer"}},
            "Contacts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["ContactId", "Outcome"],
                    "properties": {
                        "ContactId": {"type": "string"},
                        "Outcome": {"type": ["string", "null"], "enum": [*outcome, None]},
                        "Detail": {"type": "string"},
                    },
                },
            },
            "CreatedAt": _TIME_OUT,
            "FinishedAt": {"type": ["string", "null"], "format": "date-time"},
        },
    }
    download = {
        "type": "object",
        "required": ["TimeRange"],
        "additionalProperties": False,
        "properties": {
            "Reason": {**_REASON, "description": "Needed for original (unredacted) versions, which are left out "
                       "without one."},
            "ExpectedCount": {**count, "description": "Optional: when given, the number the search must find."},
            **criteria,
        },
    }  # fmt: skip
    return {
        "/api/v1/bulk-actions": {
            "post": {
                "operationId": "StartBulkAction",
                "summary": "Set or clear a legal hold on, or delete the recordings of, every contact a search "
                "finds for the caller; needs DeleteCallRecordings. Legal holds are done at once, deletions queued.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": start}}},
                "responses": {
                    "202": {"description": "Started", **_json(started), "links": _bulk_links()},
                    **_BULK_ERRORS,
                },
            }
        },
        "/api/v1/bulk-actions/{BulkActionId}": {
            "get": {
                "operationId": "DescribeBulkAction",
                "summary": "A bulk action of the caller's own: status, progress and each contact's outcome.",
                "parameters": [
                    {"name": "BulkActionId", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "The bulk action", **_json(job)}, **_ERRORS},
            }
        },
        "/api/v1/bulk-downloads": {
            "post": {
                "operationId": "DownloadContacts",
                "summary": "A zip of the recordings and transcripts the caller may download, of every contact a "
                "search finds, streamed, with manifest.csv; each file audited.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": download}}},
                "responses": {
                    "200": {
                        "description": "The zip",
                        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    **_BULK_ERRORS,
                },
            }
        },
    }


_ERASURE = {
    "type": "object",
    "required": ["ErasureId", "Status", "Contacts", "Skipped", "ObjectsDeleted", "Certificate"],
    "properties": {
        "ErasureId": {"type": "string"},
        "Status": {"type": "string", "enum": ["RUNNING", "DONE", "FAILED"]},
        "Message": {"type": "string"},
        "Contacts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["ContactId", "State"],
                "properties": {
                    "ContactId": {"type": "string"},
                    "State": {"type": "string", "enum": ["PENDING", "ERASED", "SKIPPED"]},
                },
            },
        },
        "Skipped": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["ContactId", "Why"],
                "properties": {"ContactId": {"type": "string"}, "Why": {"type": "string"}},
            },
        },
        "ObjectsDeleted": {"type": "integer", "minimum": 0},
        "Certificate": {
            "type": ["object", "null"],
            "description": "Set when DONE: every contact, object key and version removed, when, by whom and why. "
            "Never the customer's number.",
        },
    },
}


def _erasure_paths() -> dict:
    return {
        "/api/v1/erasures": {
            "post": {
                "operationId": "StartErasure",
                "summary": "Erase one customer's personal data from every contact of theirs the caller may see; "
                "needs DeleteCallRecordings.",
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "required": ["CustomerPhoneNumber", "Reason"],
                            "properties": {"CustomerPhoneNumber": _PHONE, "Reason": _REASON},
                        }
                    ),
                },
                "responses": {
                    "202": {
                        "description": "Started",
                        **_json({"type": "object", "required": ["ErasureId"],
                                 "properties": {"ErasureId": {"type": "string"}}}),  # fmt: skip
                        "links": {
                            "DescribeErasure": {
                                "operationId": "DescribeErasure",
                                "parameters": {"ErasureId": "$response.body#/ErasureId"},
                            }
                        },
                    },
                    **_ERRORS,
                },
            }
        },
        "/api/v1/erasures/{ErasureId}": {
            "get": {
                "operationId": "DescribeErasure",
                "summary": "An erasure of the caller's own: progress, skipped contacts and, once done, the certificate.",
                "parameters": [
                    {"name": "ErasureId", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}
                ],
                "responses": {"200": {"description": "The erasure", **_json(_ERASURE)}, **_ERRORS},
            }
        },
    }


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Contact portal API",
            "version": "1",
            "description": "Amazon Connect contact search and recordings, limited to what the caller may see. "
            "Errors use Connect's shape, with the type also in the x-amzn-ErrorType header. "
            "No string may hold a NUL character (U+0000): such a request is refused with InvalidRequestException.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"sigv4": []}, {"session": []}],
        "paths": {
            "/api/v1/search-contacts": _search_contacts(),
            **_contact_paths(),
            **_other_paths(),
            **_erasure_paths(),
            **_bulk_paths(),
            **_connect_paths(),
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "OpenApi",
                    "security": [],
                    "responses": {"200": {"description": "This document"}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "manage.py portal_user token USERNAME"},
                "sigv4": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "AWS Signature Version 4, service connect, with a key from "
                    "manage.py portal_user access-key create USERNAME (or presigned X-Amz-* query parameters)",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid", "description": "With CSRF token"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["Type", "Message"],
                    "properties": {
                        "Type": {
                            "type": "string",
                            "enum": [
                                "AccessDeniedException",
                                "InvalidRequestException",
                                "InvalidParameterException",
                                "ResourceNotFoundException",
                                "ResourceConflictException",
                                "ThrottlingException",
                                "ServiceUnavailableException",
                                "UnrecognizedClientException",
                                "InvalidSignatureException",
                            ],
                        },
                        "Message": {"type": "string"},
                    },
                },
                "SearchCriteria": _SEARCH_CRITERIA,
                "ContactSearchSummary": _SUMMARY,
                "RecordingJob": {
                    "type": "object",
                    "required": ["JobId", "Status"],
                    "properties": {
                        "JobId": {"type": "string"},
                        "Status": {"type": "string", "enum": ["QUEUED", "RUNNING", "READY", "FAILED"]},
                        "Message": {"type": ["string", "null"]},
                        "AudioUrl": {
                            "type": ["string", "null"],
                            "description": "Short-lived, bound to the user; honours Range. Set when READY.",
                        },
                        "Version": {"type": "string", "enum": ["REDACTED", "ORIGINAL"]},
                        "BytesDone": {"type": ["integer", "null"]},
                        "BytesTotal": {"type": ["integer", "null"]},
                    },
                },
            },
        },
    }
