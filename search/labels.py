"""How the portal names Connect's enum values (channels, initiation methods, disconnect
reasons, recording states, transcript participants and sentiments) in the user's language.

Connect adds values from time to time; one without a label here shows as Connect sends
it, so nothing disappears. The CSV keeps Connect's values, for the scripts that read it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CHANNEL_LABELS = {"VOICE": _("Voice"), "CHAT": _("Chat"), "TASK": _("Task"), "EMAIL": _("Email")}
RECORDING_LABELS = {"AVAILABLE": _("Available"), "DELETING": _("Being deleted"), "DELETED": _("Deleted")}
INITIATION_METHOD_LABELS = {
    "INBOUND": _("Inbound"),
    "OUTBOUND": _("Outbound"),
    "TRANSFER": _("Transfer"),
    "QUEUE_TRANSFER": _("Queue transfer"),
    "CALLBACK": _("Callback"),
    "API": _("API"),
    "DISCONNECT": _("Disconnect flow"),
    "MONITOR": _("Monitor"),
    "EXTERNAL_OUTBOUND": _("External outbound"),
    "WEBRTC_API": _("WebRTC API"),
    "AGENT_REPLY": _("Agent reply"),
    "FLOW": _("Flow"),
}
DISCONNECT_REASON_LABELS = {
    "CUSTOMER_DISCONNECT": _("Customer disconnect"),
    "AGENT_DISCONNECT": _("Agent disconnect"),
    "THIRD_PARTY_DISCONNECT": _("Third party disconnect"),
    "TELECOM_PROBLEM": _("Telecom problem"),
    "BARGED": _("Barged by a supervisor"),
    "CONTACT_FLOW_DISCONNECT": _("Flow disconnect"),
    "OTHER": _("Other"),
    "EXPIRED": _("Expired"),
    "API": _("API"),
    "IDLE_DISCONNECT": _("Idle disconnect"),
    "DISCARDED": _("Discarded"),
    "CUSTOMER_CONNECTION_NOT_ESTABLISHED": _("Customer connection not established"),
    "AGENT_CONNECTION_NOT_ESTABLISHED": _("Agent connection not established"),
}
DISCONNECT_REASONS = tuple(DISCONNECT_REASON_LABELS)
PARTICIPANT_ROLE_LABELS = {
    "AGENT": _("Agent"),
    "CUSTOMER": _("Customer"),
    "SYSTEM": _("System"),
    "CUSTOM_BOT": _("Bot"),
    "SUPERVISOR": _("Supervisor"),
}
SENTIMENT_LABELS = {
    "POSITIVE": _("Positive"),
    "NEGATIVE": _("Negative"),
    "NEUTRAL": _("Neutral"),
    "MIXED": _("Mixed"),
}

_BY_FIELD = {
    "channel": CHANNEL_LABELS,
    "initiation_method": INITIATION_METHOD_LABELS,
    "disconnect_reason": DISCONNECT_REASON_LABELS,
    "recording": RECORDING_LABELS,
    "participant_role": PARTICIPANT_ROLE_LABELS,
    "sentiment": SENTIMENT_LABELS,
}


def connect_label(field: str, value: str | None) -> str:
    """`value` of the contact field `field` as the user reads it ("" for none)."""
    if not value:
        return ""
    return str(_BY_FIELD[field].get(value, value))


def choices(field: str, values) -> list[tuple[str, object]]:
    """Form choices; the labels stay lazy, so each request renders its own language."""
    return [(value, _BY_FIELD[field].get(value, value)) for value in values]
