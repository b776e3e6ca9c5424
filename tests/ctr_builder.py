"""Contact records shaped exactly like Connect's (CONNECT §4), for tests."""

from __future__ import annotations

import copy
import uuid
from typing import Any

# The instance the test settings name (CONNECT_INSTANCE_ARN's default): records of any other are refused.
INSTANCE = "arn:aws:connect:ap-northeast-1:123456789012:instance/00000000-0000-4000-8000-000000000001"


def arn(kind: str, ident: str) -> str:
    return f"{INSTANCE}/{kind}/{ident}"


def ctr(contact_id: str | None = None, *, agent: str | None = "agent-1", groups: tuple[str, ...] = ("g-l1", "g-l2", "g-l3"),
        updated: str = "2026-11-01T09:10:00Z", **overrides: Any) -> dict:  # fmt: skip
    contact_id = contact_id or str(uuid.uuid4())
    record = {
        "AWSAccountId": "123456789012",
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "InstanceARN": INSTANCE,
        "ContactId": contact_id,
        "InitialContactId": None,
        "PreviousContactId": None,
        "NextContactId": None,
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2026-11-01T09:00:00Z",
        "ConnectedToSystemTimestamp": "2026-11-01T09:00:01Z",
        "DisconnectTimestamp": "2026-11-01T09:05:00Z",
        "LastUpdateTimestamp": updated,
        "DisconnectReason": "CUSTOMER_DISCONNECT",
        "Attributes": {"customerTier": "gold", "accountNumber": "ACC-0042"},
        "CustomerEndpoint": {"Address": "+81312345678", "Type": "TELEPHONE_NUMBER"},
        "SystemEndpoint": {"Address": "+81501234567", "Type": "TELEPHONE_NUMBER"},
        "TransferredToEndpoint": None,
        "MediaStreams": [{"Type": "AUDIO"}],
        "Queue": {
            "ARN": arn("queue", "q-billing"),
            "Name": "Billing",
            "EnqueueTimestamp": "2026-11-01T09:00:05Z",
            "DequeueTimestamp": "2026-11-01T09:00:30Z",
            "Duration": 25,
        },
        "Agent": None,
        "Recording": {
            "Location": f"connect-bucket/connect/demo/CallRecordings/2026/11/01/{contact_id}_20261101T09:00_UTC.wav",
            "Status": "AVAILABLE",
            "Type": "AUDIO",
            "DeletionReason": None,
        },
        "ContactLens": {
            "ConversationalAnalytics": {
                "Configuration": {
                    "Enabled": True,
                    "LanguageLocale": "en-US",
                    "RedactionConfiguration": {"Behavior": "Enable", "Policy": "RedactedAndOriginal"},
                }
            }
        },
        "Tags": {},
    }
    if agent:
        levels = {
            f"Level{i + 1}": {"ARN": arn("agent-group", g), "GroupName": g.upper()} for i, g in enumerate(groups)
        }
        record["Agent"] = {
            "ARN": arn("agent", agent),
            "Username": agent,
            "ConnectedToAgentTimestamp": "2026-11-01T09:00:30Z",
            "AgentInteractionDuration": 250,
            "CustomerHoldDuration": 10,
            "NumberOfHolds": 1,
            "LongestHoldDuration": 10,
            "AfterContactWorkDuration": 30,
            "RoutingProfile": {"ARN": arn("routing-profile", "rp-basic"), "Name": "Basic Routing Profile"},
            "HierarchyGroups": levels,
        }
    for key, value in overrides.items():
        record[key] = copy.deepcopy(value)
    return record
