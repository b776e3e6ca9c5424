"""The OpenAPI 3.1 description of every `/api/v1/` endpoint (INTERFACES.md §4).

Written by hand: the endpoints mirror Connect's shapes, which no serializer here
generates, and a document kept next to the search API is easy to review with it.
"""

from __future__ import annotations

from typing import Any

from search.criteria import (
    CHANNELS,
    INITIATION_METHODS,
    PARTICIPANT_ROLES,
    RECORDING_STATUSES,
    SORT_FIELDS,
    TIME_TYPES,
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _strings(max_items: int | None = None, enum: tuple[str, ...] = (), max_length: int | None = None) -> dict:
    item: dict[str, Any] = {"type": "string"}
    if enum:
        item["enum"] = list(enum)
    if max_length:
        item["maxLength"] = max_length
    schema: dict[str, Any] = {"type": "array", "items": item}
    if max_items:
        schema["maxItems"] = max_items
    return schema


_TIME = {
    "oneOf": [{"type": "string", "format": "date-time"}, {"type": "number", "description": "epoch seconds"}],
}
_MATCH = {"type": "string", "enum": ["MATCH_ALL", "MATCH_ANY"]}
_SCORE = {"type": "number", "minimum": -5, "maximum": 5}


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
    "404": _error("ResourceNotFoundException: missing, or not visible to the caller"),
    "429": _error("ThrottlingException"),
}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _contact_id_param() -> dict:
    return {"name": "ContactId", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 256}}


def _connect_paths() -> dict:
    """Connect's own read operations at the AWS model's paths (the AWS CLI and SDKs call these)."""
    instance = {"name": "InstanceId", "in": "path", "required": True,
                "description": "The portal's instance id or ARN", "schema": {"type": "string"}}  # fmt: skip
    initial = {"name": "InitialContactId", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/api/v1/contacts/{InstanceId}/{ContactId}": {
            "get": {
                "operationId": "ConnectDescribeContact",
                "summary": "Connect's DescribeContact: the Contact shape, timestamps in epoch seconds; "
                "attributes need ContactAttributes.View.",
                "parameters": [instance, _contact_id_param()],
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
            "properties": {f"L{level}Ids": _strings(10) for level in range(1, 6)},
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
                            "maxItems": 6,
                            "items": {
                                "type": "object",
                                "required": ["ParticipantRole", "SearchText", "MatchType"],
                                "properties": {
                                    "ParticipantRole": {"type": "string", "enum": list(PARTICIPANT_ROLES)},
                                    "SearchText": _strings(100, max_length=128),
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
                    "maxItems": 15,
                    "items": {
                        "type": "object",
                        "required": ["Key", "Values"],
                        "properties": {
                            "Key": {"type": "string", "maxLength": 100},
                            "Values": _strings(20, max_length=100),
                        },
                    },
                },
                "MatchType": _MATCH,
            },
        },
        "ContactId": {"type": "string", "description": "One contact; the other criteria are ignored."},
        "CustomerPhoneNumber": {"type": "string", "description": "Any common format; compared as E.164."},
        "SystemPhoneNumber": {"type": "string"},
        "HasRecording": {"type": "boolean"},
        "RecordingStatuses": _strings(enum=RECORDING_STATUSES),
        "MinDurationSeconds": {"type": "integer", "minimum": 0},
        "MaxDurationSeconds": {"type": "integer", "minimum": 0},
        "Sentiment": {
            "type": "object",
            "required": ["ParticipantRole"],
            "description": "Needs ContactSearchWithCharacteristics.Access.",
            "properties": {
                "ParticipantRole": {"type": "string", "enum": ["AGENT", "CUSTOMER"]},
                "Type": {"type": "string", "enum": ["SCORE", "SHIFT"]},
                **{name: _SCORE for name in ("Min", "Max", "BeginMin", "BeginMax", "EndMin", "EndMax")},
            },
        },
        "NonTalkTime": {
            "type": "object",
            "description": "Needs ContactSearchWithCharacteristics.Access.",
            "properties": {
                "MinMillis": {"type": "integer"},
                "MaxMillis": {"type": "integer"},
                "MinPercent": {"type": "number"},
                "MaxPercent": {"type": "number"},
            },
        },
        "Interruptions": {
            "type": "object",
            "description": "Needs ContactSearchWithCharacteristics.Access.",
            "properties": {"Min": {"type": "integer"}, "Max": {"type": "integer"}},
        },
        "Categories": {
            "type": "object",
            "required": ["Names"],
            "description": "Needs ContactSearchWithCharacteristics.Access. MATCH_NONE: analysed contacts "
            "without any of the names.",
            "properties": {
                "Names": _strings(50),
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
        "properties": {
            "InstanceId": {"type": "string", "description": "Optional; the portal serves one instance."},
            "TimeRange": {
                "type": "object",
                "required": ["Type", "StartTime", "EndTime"],
                "properties": {
                    "Type": {"type": "string", "enum": list(TIME_TYPES)},
                    "StartTime": _TIME,
                    "EndTime": _TIME,
                },
                "description": "Not required when SearchCriteria.ContactId is given.",
            },
            "SearchCriteria": _ref("SearchCriteria"),
            "MaxResults": {"type": "integer", "minimum": 1, "maximum": 100, "default": 100},
            "NextToken": {"type": "string"},
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
            "TotalCount": {"type": "integer", "description": "Exact up to SEARCH_RESULT_CAP (10,000)."},
        },
    }
    return {
        "post": {
            "operationId": "SearchContacts",
            "summary": "Search the contacts the caller may see (Connect's SearchContacts).",
            "requestBody": {"required": True, **_json(request)},
            "responses": {"200": {"description": "A page of contacts", **_json(response)}, **_ERRORS},
        }
    }


def _contact_paths() -> dict:
    turn = {
        "type": "object",
        "properties": {
            "ParticipantRole": {"type": "string"},
            "BeginOffsetMillis": {"type": "integer"},
            "EndOffsetMillis": {"type": "integer"},
            "Content": {"type": "string"},
            "Sentiment": {"type": "string"},
        },
    }
    version_param = {
        "name": "version",
        "in": "query",
        "schema": {"type": "string", "enum": ["redacted", "original"], "default": "redacted"},
    }
    return {
        "/api/v1/contacts/{ContactId}": {
            "get": {
                "operationId": "DescribeContact",
                "summary": "The record's fields the caller may see; attributes need ContactAttributes.View, "
                "analytics GraphTrends.View.",
                "parameters": [_contact_id_param()],
                "responses": {
                    "200": {"description": "The contact", **_json({"type": "object", "properties": {"Contact": {}}})},
                    **_ERRORS,
                },
            }
        },
        "/api/v1/contacts/{ContactId}/transcript": {
            "get": {
                "operationId": "GetTranscript",
                "summary": "Transcript turns; the original needs ContactTranscripts.Unredacted.Access and a reason.",
                "parameters": [
                    _contact_id_param(),
                    version_param,
                    {"name": "reason", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "Turns",
                        **_json({"type": "object", "properties": {"Turns": {"type": "array", "items": turn}}}),
                    },
                    **_ERRORS,
                },
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
                        "properties": {
                            "Version": {"type": "string", "enum": ["REDACTED", "ORIGINAL"]},
                            "Reason": {"type": "string"},
                        },
                    }
                ),
                "responses": {"202": {"description": "Job queued", **_json(_ref("RecordingJob"))}, **_ERRORS},
            }
        },
        "/api/v1/contacts/{ContactId}/recording/download": {
            "get": {
                "operationId": "DownloadRecording",
                "summary": "The WAV as an attachment; needs the matching DownloadButton permission.",
                "parameters": [_contact_id_param(), {**version_param, "name": "version"}],
                "responses": {
                    "200": {"description": "<ContactId>.wav", "content": {"audio/wav": {}}},
                    **_ERRORS,
                },
            }
        },
        "/api/v1/contacts/{ContactId}/recording": {
            "delete": {
                "operationId": "DeleteRecording",
                "summary": "Delete every object of the recording; needs DeleteCallRecordings.",
                "parameters": [_contact_id_param()],
                "requestBody": _json(
                    {"type": "object", "required": ["Reason"], "properties": {"Reason": {"type": "string"}}}
                ),
                "responses": {
                    "200": {"description": "Deleted", **_json({"type": "object", "properties": {"Status": {}}})},
                    "202": {"description": "Deletion in progress"},
                    **_ERRORS,
                },
            }
        },
    }


def _other_paths() -> dict:
    return {
        "/api/v1/recording-jobs/{JobId}": {
            "get": {
                "operationId": "DescribeRecordingJob",
                "summary": "A fetch job of the caller's own.",
                "parameters": [{"name": "JobId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The job", **_json(_ref("RecordingJob"))}, **_ERRORS},
            }
        },
        "/api/v1/audit-events": {
            "get": {
                "operationId": "ListAuditEvents",
                "summary": "The audit log; needs HistoricalChanges.View.",
                "parameters": [
                    {"name": name, "in": "query", "schema": {"type": "string"}}
                    for name in ("user", "action", "contact_id", "since", "until")
                ],
                "responses": {"200": {"description": "Events", **_json({"type": "object"})}, **_ERRORS},
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
            "Errors use Connect's shape, with the type also in the x-amzn-ErrorType header.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"sigv4": []}, {"session": []}],
        "paths": {
            "/api/v1/search-contacts": _search_contacts(),
            **_contact_paths(),
            **_other_paths(),
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
                                "ThrottlingException",
                            ],
                        },
                        "Message": {"type": "string"},
                    },
                },
                "SearchCriteria": _SEARCH_CRITERIA,
                "ContactSearchSummary": _SUMMARY,
                "RecordingJob": {
                    "type": "object",
                    "properties": {
                        "JobId": {"type": "string"},
                        "Status": {"type": "string", "enum": ["QUEUED", "RUNNING", "READY", "FAILED"]},
                        "Message": {"type": "string"},
                        "AudioUrl": {"type": "string", "description": "Short-lived, bound to the user; honours Range."},
                    },
                },
            },
        },
    }
