"""The demo Connect instance as a stream of S3 objects.

`generate_instance` walks the days before `now` (90 by default) one day at a time (so a million
contacts never sit in memory), draws each day's contacts with business-hour
weighting in the caller's time zone, plays out every contact (queue, agent,
conversation, holds, after-contact work) and yields what Connect would have written:
Contact Lens analyses, recordings, and the contact records batched into Firehose
objects. Everything comes from one `random.Random(seed)`, so the same arguments give
the same bytes.

Recordings exist exactly for the calls that the bucket's lifecycle rule still keeps
(`recording_days`, which the loader also sets as that rule): every call in the window
has its WAV (and, where Contact Lens redacts the language, its redacted WAV), and every
older call names a recording the rule has removed, as a real bucket shows it.

Run `python -m demo.generate --contacts 20000 --no-audio` to measure speed.
"""

from __future__ import annotations

import argparse
import gzip
import heapq
import json
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from demo import analysis, audio
from demo.conversations import (
    AGENT,
    OUTBOUND_TOPICS,
    TOPICS,
    Customer,
    build_dialogue,
    call_slots,
    customer,
    perform_chat,
    perform_voice,
)
from demo.directory import EN_US, JA_JP, Agent, Directory, Queue, demo_directory, team_queues
from demo.records import Contact, between, ctr_record, pick, recording_key, stale_version, ts, uuid4

DAYS = 90
# Days the demo bucket keeps recordings (its lifecycle rule). Three days of 8 kHz stereo
# calls, with their redacted twins, come to roughly 250-450 MB for the default 2,000 contacts.
RECORDING_DAYS = 3
# Weight of each local hour of the day (contact centres are busiest mid-morning and mid-afternoon).
_HOUR_WEIGHTS = (
    0.04,
    0.03,
    0.02,
    0.02,
    0.02,
    0.04,
    0.12,
    0.3,
    0.75,
    1.0,
    1.0,
    0.95,
    0.75,
    0.9,
    1.0,
    0.95,
    0.85,
    0.65,
    0.45,
    0.3,
    0.2,
    0.14,
    0.09,
    0.06,
)
_UTC_OFFSET_H = {EN_US: -7, JA_JP: 9}
_WEEKDAY_WEIGHTS = (1.0, 0.95, 0.95, 0.92, 0.9, 0.5, 0.35)  # Monday first
_TOPIC_WEIGHTS = (0.18, 0.10, 0.16, 0.10, 0.20, 0.12, 0.14)  # in TOPICS order
_REASONS = {
    "billing": "billing",
    "card_update": "payment",
    "cancellation": "cancel",
    "address_change": "address-change",
    "tech_support": "technical",
    "complaint": "complaint",
    "plan_change": "plan-change",
}
_DEPARTMENTS = {
    "billing": "Billing",
    "card_update": "Billing",
    "cancellation": "Retention",
    "address_change": "CustomerCare",
    "tech_support": "TechnicalSupport",
    "complaint": "CustomerCare",
    "plan_change": "Sales",
}
_SYSTEM_NUMBERS = {
    EN_US: {"inbound": ("+18885550100", "+18885550142"), "outbound": "+12065550100", "partner": "+18005550177"},
    JA_JP: {"inbound": ("+81120555010", "+81120555020"), "outbound": "+81355550100", "partner": "+81120555099"},
}
_CAMPAIGNS = {"card_update": "payment-reminder", "billing": "billing-correction", "plan_change": "upgrade-offer"}
_EXTRA_FIELDS = (
    ("SegmentAttributes", {}),
    ("ContactDetails", {}),
    ("Campaign", {"CampaignId": None}),
    ("AnsweringMachineDetectionStatus", None),
    ("VoiceIdResult", None),
    ("DisconnectDetails", {"PotentialDisconnectIssue": None}),
    ("References", {}),
)


@dataclass(frozen=True)
class DemoObject:
    role: str  # "ctr" | "analysis" | "recording"
    key: str  # S3 key inside its bucket
    body: bytes
    content_type: str


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # compact, like Connect's own files


def _dumps(doc: dict) -> bytes:
    return _ENCODER.encode(doc).encode()


def _epoch(now: datetime) -> int:
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)  # a naive `now` is taken as UTC
    return int(now.timestamp())


def _date_path(iso: str) -> str:
    return iso[:10].replace("-", "/")


class _Firehose:
    """Batches serialized records into objects the way a Firehose delivery stream does."""

    def __init__(self, prefix: str, rng: random.Random):
        self.prefix = prefix
        self.rng = rng
        self.buffer: list[bytes] = []
        self.first_arrival = 0
        self.count = 0  # records delivered so far
        self.objects = 0
        self.target = between(rng, 450, 550)
        self.pending: list[tuple[int, int, bytes]] = []  # (deliver after record n, seq, record)
        self.seq = 0

    def put(self, record: bytes, arrival: int) -> Iterator[DemoObject]:
        yield from self._append(record, arrival)
        while self.pending and self.pending[0][0] <= self.count:
            yield from self._append(heapq.heappop(self.pending)[2], arrival)

    def later(self, record: bytes, after_records: int) -> None:
        self.seq += 1
        heapq.heappush(self.pending, (self.count + after_records, self.seq, record))

    def _append(self, record: bytes, arrival: int) -> Iterator[DemoObject]:
        if not self.buffer:
            self.first_arrival = arrival
        self.buffer.append(record)
        self.count += 1
        if len(self.buffer) >= self.target:
            yield self._flush()

    def close(self, arrival: int) -> Iterator[DemoObject]:
        while self.pending:
            yield from self._append(heapq.heappop(self.pending)[2], arrival)
        if self.buffer:
            yield self._flush()

    def _flush(self) -> DemoObject:
        n = self.objects
        self.objects += 1
        # Mostly Firehose's concatenated JSON; some newline-delimited objects and some
        # gzip-compressed ones (one of those newline-delimited too), because delivery
        # streams are configured either way. The first five objects cover every kind.
        kind = n % 8
        ndjson = kind in (1, 4)
        compressed = kind in (2, 4)
        body = b"\n".join(self.buffer) + b"\n" if ndjson else b"".join(self.buffer)
        t = time.gmtime(self.first_arrival)
        key = f"{self.prefix}{t.tm_year:04d}/{t.tm_mon:02d}/{t.tm_mday:02d}/{t.tm_hour:02d}/demo-firehose-{n}.json"
        self.buffer = []
        self.target = between(self.rng, 450, 550)
        if compressed:
            return DemoObject("ctr", key + ".gz", gzip.compress(body, compresslevel=6, mtime=0), "application/gzip")
        return DemoObject("ctr", key, body, "application/json")


class _Instance:
    def __init__(
        self,
        contacts: int,
        seed: int,
        now: datetime,
        bucket: str,
        ctr_prefix: str,
        alias: str,
        recording_days: int,
        days: int = DAYS,
        batch: int = 0,
        instance_arn: str = "",
    ):
        self.total = contacts
        self.seed = seed
        self.bucket = bucket
        self.alias = alias
        # A later batch (a top-up of days since the first load) has contacts of its own
        # in the same directory: the same agents, queues and hierarchy.
        self.rng = random.Random(seed if not batch else f"{seed}/{batch}")
        self.directory: Directory = demo_directory(seed, instance_arn)
        self.now = _epoch(now)
        self.end = self.now - 3600  # the newest contact started an hour ago
        self.days = days
        self.start = self.end - days * 86400
        self.firehose = _Firehose(ctr_prefix, random.Random(seed + 1 if not batch else f"{seed + 1}/{batch}"))
        self.counts = self._day_counts()
        self.pool = {lang: max(20, contacts // 8) for lang in (EN_US, JA_JP)}
        self._index_directory()
        self.recording_days = recording_days

    # -- set-up --------------------------------------------------------------------------

    def _day_counts(self) -> list[int]:
        weights = []
        for d in range(self.days):
            weekday = time.gmtime(self.start + d * 86400 + 43200).tm_wday
            weights.append(_WEEKDAY_WEIGHTS[weekday] * (1 + 0.25 * d / self.days))  # a growing business
        scale = self.total / sum(weights)
        counts = [int(w * scale) for w in weights]
        by_remainder = sorted(range(self.days), key=lambda d: (counts[d] - weights[d] * scale, d))
        for d in by_remainder[: self.total - sum(counts)]:
            counts[d] += 1
        return counts

    def _index_directory(self) -> None:
        rng = self.rng
        groups = {g.id: g for g in self.directory.groups}
        self.agents_for: dict[str, tuple[list[Agent], list[float]]] = {}
        self.seniors: dict[str, list[Agent]] = {EN_US: [], JA_JP: []}
        weight = {a.id: rng.uniform(0.6, 1.4) for a in self.directory.agents}  # some agents take more calls
        for queue in self.directory.queues:
            staff = [
                a for a in self.directory.agents if queue.name in team_queues(groups[a.group_id].name) and not a.senior
            ]
            cumulative, total = [], 0.0
            for a in staff:
                total += weight[a.id]
                cumulative.append(total)
            self.agents_for[queue.name] = (staff, cumulative)
        for a in self.directory.agents:
            if a.senior:
                self.seniors[a.language].append(a)
        self.queue_for = {(q.language, topic): q for q in self.directory.queues for topic in q.topics}
        self.basic_queue = self.directory.queue_named("BasicQueue")

    # -- drawing -------------------------------------------------------------------------

    def _agent(self, queue: Queue) -> Agent:
        staff, cumulative = self.agents_for[queue.name]
        return self.rng.choices(staff, cum_weights=cumulative)[0]

    def _customer(self, language: str) -> Customer:
        size = self.pool[language]
        rng = self.rng
        # A fifth of the callers are regulars who call again and again.
        index = int(rng.random() * max(1, size // 20)) if rng.random() < 0.2 else int(rng.random() * size)
        return customer(self.seed, language, index)

    def _slot_time(self, day_start: int, language: str) -> int:
        rng = self.rng
        offset = _UTC_OFFSET_H[language] * 3600
        while True:
            t = day_start + int(rng.random() * 86400)
            if rng.random() < _HOUR_WEIGHTS[(t + offset) // 3600 % 24]:
                return t

    def _topic(self) -> str:
        return self.rng.choices(TOPICS, weights=_TOPIC_WEIGHTS)[0]

    def _wait(self, mean: float, cap: int = 900) -> int:
        return min(cap, int(self.rng.expovariate(1 / mean)) + 2)

    def _attributes(self, person: Customer, topic: str, chat: bool = False, campaign: str | None = None) -> dict | None:
        rng = self.rng
        if rng.random() < 0.04:
            return {}
        attrs = {"accountNumber": person.account_number, "customerTier": person.tier, "language": person.language}
        if campaign:
            attrs["campaign"] = campaign
        else:
            attrs["reason"] = _REASONS[topic]
        if person.language == JA_JP:
            attrs["prefecture"] = person.prefecture
        if chat:
            attrs["chatEntryPoint"] = pick(rng, ("web", "web", "app"))
        return attrs

    def _tags(self, topic: str) -> dict | None:
        r = self.rng.random()
        return None if r < 0.1 else {} if r < 0.3 else {"Department": _DEPARTMENTS[topic]}

    def _extras(self) -> dict | None:
        rng = self.rng
        if rng.random() >= 0.12:
            return None
        return dict(rng.sample(_EXTRA_FIELDS, between(rng, 1, 3)))

    # -- the stream ------------------------------------------------------------------------

    def run(self) -> Iterator[DemoObject]:
        remaining = self.total
        for day, count in enumerate(self.counts):
            if remaining <= 0:
                break
            day_start = self.start + day * 86400
            languages = [EN_US if self.rng.random() < 0.5 else JA_JP for _ in range(count)]
            slots = sorted((self._slot_time(day_start, lang), lang) for lang in languages)
            i = 0
            while i < len(slots) and remaining > 0:
                t, language = slots[i]
                contacts = self._episode(t, language, pair_allowed=remaining >= 2)
                for contact, objects in contacts:
                    yield from objects
                    yield from self._deliver(contact)
                i += len(contacts)
                remaining -= len(contacts)
        yield from self.firehose.close(self.end)

    def _deliver(self, contact: Contact) -> Iterator[DemoObject]:
        rng = self.rng
        record = ctr_record(self.directory, contact, compact_hierarchy=rng.random() < 0.1)
        if contact.channel == "CHAT" and rng.random() < 0.3:
            del record["CustomerEndpoint"]  # chat records often carry no customer endpoint at all
        body = _dumps(record)
        yield from self.firehose.put(body, contact.last_update)
        r = rng.random()
        if r < 0.015:
            # An earlier update of the same contact arrives after the final one.
            self.firehose.later(_dumps(stale_version(record, rng)), between(rng, 1, 700))
        elif r < 0.02:
            self.firehose.later(body, between(rng, 1, 700))  # a plain re-delivery

    def _episode(self, t: int, language: str, pair_allowed: bool) -> list[tuple[Contact, list[DemoObject]]]:
        rng = self.rng
        person = self._customer(language)
        if rng.random() < 0.25:
            return [self._chat(t, language, person, abandoned=rng.random() < 0.12)]
        k = rng.random()
        if k < 0.05 and pair_allowed:
            return self._transfer_pair(t, language, person)
        if k < 0.09 and pair_allowed:
            return self._callback_pair(t, language, person)
        if k < 0.16:
            return [self._abandoned(t, language, person, ivr_only=rng.random() < 0.3)]
        if k < 0.26:
            return [self._outbound(t, language, person)]
        external = k < 0.28
        return [self._inbound(t, language, person, transfer="external" if external else None)]

    # -- contact kinds -----------------------------------------------------------------------

    def _new(self, t: int, language: str, channel: str, method: str, person: Customer | None) -> Contact:
        number = person.phone_e164 if person and channel == "VOICE" else None
        contact = Contact(
            uuid4(self.rng), channel, language, method, t, t, "CUSTOMER_DISCONNECT", customer_number=number
        )
        contact.extras = self._extras()
        return contact

    def _queue_up(self, c: Contact, queue: Queue, at: int, mean_wait: float) -> None:
        c.queue = queue
        c.enqueue = at
        c.dequeue = at + self._wait(mean_wait)
        c.agent = self._agent(queue) if c.agent is None else c.agent
        c.connected_agent = c.dequeue + between(self.rng, 1, 4)

    def _inbound(
        self, t: int, language: str, person: Customer, transfer: str | None = None, topic: str | None = None
    ) -> tuple[Contact, list[DemoObject]]:
        rng = self.rng
        topic = topic or ("complaint" if transfer == "agent" else "tech_support" if transfer else self._topic())
        c = self._new(t, language, "VOICE", "INBOUND", person)
        c.topic = topic
        c.system_number = pick(rng, _SYSTEM_NUMBERS[language]["inbound"])
        c.connected_system = t
        self._queue_up(c, self.queue_for[(language, topic)], t + between(rng, 15, 75), 40 if language == EN_US else 30)
        c.attributes = self._attributes(person, topic)
        c.tags = self._tags(topic)
        telecom = transfer is None and rng.random() < 0.015
        objects = self._call(c, person, "inbound", topic, transfer, telecom)
        if transfer == "external":
            c.transferred_to = _SYSTEM_NUMBERS[language]["partner"]
            c.transfer_completed = c.agent_left
            c.disconnect = c.agent_left + between(rng, 60, 900)  # the customer stays on with the partner
            c.disconnect_reason = "THIRD_PARTY_DISCONNECT"
        elif transfer == "agent":
            c.transfer_completed = c.agent_left
            c.disconnect_reason = "AGENT_DISCONNECT"
        elif telecom:
            c.disconnect_reason = "TELECOM_PROBLEM"
        else:
            c.disconnect_reason = "CUSTOMER_DISCONNECT" if rng.random() < 0.55 else "AGENT_DISCONNECT"
        return c, objects

    def _outbound(self, t: int, language: str, person: Customer) -> tuple[Contact, list[DemoObject]]:
        rng = self.rng
        topic = pick(rng, OUTBOUND_TOPICS)
        c = self._new(t, language, "VOICE", "OUTBOUND", person)
        c.topic = topic
        c.system_number = _SYSTEM_NUMBERS[language]["outbound"]
        c.queue = self.basic_queue  # the agent's outbound queue
        queue = self.queue_for[(language, topic)]
        c.agent = self._agent(queue)
        c.connected_system = t + between(rng, 5, 25)  # ringing until the customer answers
        c.connected_agent = c.connected_system
        c.attributes = self._attributes(person, topic, campaign=_CAMPAIGNS[topic])
        c.tags = self._tags(topic)
        objects = self._call(c, person, "outbound", topic, None, False)
        c.disconnect_reason = "AGENT_DISCONNECT" if rng.random() < 0.6 else "CUSTOMER_DISCONNECT"
        return c, objects

    def _abandoned(self, t: int, language: str, person: Customer, ivr_only: bool) -> tuple[Contact, list[DemoObject]]:
        rng = self.rng
        topic = self._topic()
        c = self._new(t, language, "VOICE", "INBOUND", person)
        c.topic = topic
        c.system_number = pick(rng, _SYSTEM_NUMBERS[language]["inbound"])
        c.connected_system = t
        if ivr_only:
            # Self-service in the flow (balance, store hours...) or a hang-up in the menu.
            c.disconnect = t + between(rng, 25, 240)
            c.disconnect_reason = "CONTACT_FLOW_DISCONNECT" if rng.random() < 0.6 else "CUSTOMER_DISCONNECT"
        else:
            c.queue = self.queue_for[(language, topic)]
            c.enqueue = t + between(rng, 15, 75)
            c.dequeue = c.disconnect = c.enqueue + self._wait(70, 1200)
        c.attributes = self._attributes(person, topic)
        c.tags = self._tags(topic)
        c.last_update = c.disconnect + between(rng, 1, 20)
        return c, []

    def _transfer_pair(self, t: int, language: str, person: Customer) -> list[tuple[Contact, list[DemoObject]]]:
        rng = self.rng
        first, objects = self._inbound(t, language, person, transfer="agent")
        second = self._new(first.agent_left, language, "VOICE", "TRANSFER", person)
        second.topic = "complaint"
        second.system_number = first.system_number
        second.connected_system = second.initiation
        second.previous_id = first.contact_id
        second.initial_id = first.initial_id or first.contact_id
        first.next_id = second.contact_id
        second.agent = pick(rng, self.seniors[language])
        self._queue_up(second, self.queue_for[(language, "complaint")], second.initiation, 20)
        second.attributes = first.attributes
        second.tags = first.tags
        more = self._call(second, person, "followup", "complaint", None, False)
        second.disconnect_reason = "CUSTOMER_DISCONNECT" if rng.random() < 0.6 else "AGENT_DISCONNECT"
        return [(first, objects), (second, more)]

    def _callback_pair(self, t: int, language: str, person: Customer) -> list[tuple[Contact, list[DemoObject]]]:
        rng = self.rng
        topic = self._topic()
        first = self._new(t, language, "VOICE", "INBOUND", person)
        first.topic = topic
        first.system_number = pick(rng, _SYSTEM_NUMBERS[language]["inbound"])
        first.connected_system = t
        queue = self.queue_for[(language, topic)]
        first.queue = queue
        first.enqueue = t + between(rng, 15, 75)
        # The caller chose "call me back" while waiting; the flow ends this contact.
        first.dequeue = first.disconnect = first.enqueue + between(rng, 30, 180)
        first.disconnect_reason = "CONTACT_FLOW_DISCONNECT"
        first.attributes = self._attributes(person, topic)
        first.tags = self._tags(topic)
        first.last_update = first.disconnect + between(rng, 1, 20)

        second = self._new(first.disconnect, language, "VOICE", "CALLBACK", person)
        second.topic = topic
        second.system_number = first.system_number
        second.previous_id = first.contact_id
        second.initial_id = first.contact_id
        first.next_id = second.contact_id
        self._queue_up(second, queue, second.initiation, 300)
        second.connected_system = second.connected_agent + between(rng, 5, 20)  # dialling the customer
        second.connected_agent = second.connected_system
        second.attributes = first.attributes
        second.tags = first.tags
        objects = self._call(second, person, "callback", topic, None, False)
        second.disconnect_reason = "AGENT_DISCONNECT" if rng.random() < 0.5 else "CUSTOMER_DISCONNECT"
        return [(first, []), (second, objects)]

    # -- conversations ---------------------------------------------------------------------

    def _slots(self, c: Contact, person: Customer) -> dict[str, str]:
        assert c.agent is not None and c.connected_agent is not None
        return call_slots(self.rng, person, c.agent.spoken_name, c.connected_agent + _UTC_OFFSET_H[c.language] * 3600)

    def _call(
        self, c: Contact, person: Customer, mode: str, topic: str, transfer: str | None, telecom: bool
    ) -> list[DemoObject]:
        """Play out a call that reached an agent; fill in its times; return its files."""
        rng = self.rng
        assert c.agent is not None and c.connected_agent is not None
        turns = build_dialogue(rng, c.language, True, topic, self._slots(c, person), mode, transfer)
        if telecom:
            turns = turns[: max(3, int(len(turns) * rng.uniform(0.3, 0.8)))]
        timeline = perform_voice(turns, rng, c.language)
        duration_ms = timeline.duration_ms
        holds = [end - begin for begin, end in timeline.holds]
        c.holds = len(holds)
        c.hold_s = round(sum(holds) / 1000)
        c.longest_hold_s = round(max(holds, default=0) / 1000)
        c.agent_left = c.connected_agent + math.ceil(duration_ms / 1000)
        # The recording runs from the agent's connection to their leaving, holds included;
        # Connect counts hold time separately from the interaction.
        c.interaction_s = max(0, round(duration_ms / 1000) - c.hold_s)
        c.disconnect = c.agent_left
        c.acw_s = between(rng, 10, 150)
        c.last_update = c.agent_left + c.acw_s + between(rng, 1, 30)
        key = recording_key(self.alias, c.contact_id, c.connected_agent)
        c.recording_location = f"{self.bucket}/{key}"

        iso = ts(c.connected_agent)
        assert iso is not None
        folder = _date_path(iso)
        source = analysis.Source(
            c.contact_id, self.directory.instance_id, self.directory.account_id, c.language, f"s3://{self.bucket}/{key}"
        )
        original, redacted = analysis.voice_analysis(source, timeline, rng)
        objects = [
            DemoObject(
                "analysis", f"Analysis/Voice/{folder}/{c.contact_id}_analysis_{iso}.json", original, "application/json"
            )
        ]
        if redacted is not None:
            objects.append(
                DemoObject(
                    "analysis",
                    f"Analysis/Voice/Redacted/{folder}/{c.contact_id}_analysis_redacted_{iso}.json",
                    redacted,
                    "application/json",
                )
            )

        audio_seed = rng.getrandbits(32)  # drawn for every call, so the window does not change the rest
        if self.now < lifecycle_expiry(c.disconnect, self.recording_days):
            channels = [(audio.RIGHT if t.role == AGENT else audio.LEFT, t.begin, t.end) for t in timeline.turns]
            samples = audio.render_call(duration_ms, channels, audio_seed)
            objects.append(DemoObject("recording", key, audio.to_wav(samples), "audio/wav"))
            if redacted is not None:
                muted = audio.silence(samples, analysis.redacted_spans(timeline))
                objects.append(
                    DemoObject(
                        "recording",
                        f"Analysis/Voice/Redacted/{folder}/{c.contact_id}_call_recording_redacted_{iso}.wav",
                        audio.to_wav(muted),
                        "audio/wav",
                    )
                )
        return objects

    def _chat(self, t: int, language: str, person: Customer, abandoned: bool) -> tuple[Contact, list[DemoObject]]:
        rng = self.rng
        topic = self._topic()
        c = self._new(t, language, "CHAT", "API", person)
        c.topic = topic
        c.connected_system = t
        c.attributes = self._attributes(person, topic, chat=True)
        c.tags = self._tags(topic)
        queue = self.queue_for[(language, topic)]
        if abandoned:
            c.queue = queue
            c.enqueue = t + between(rng, 3, 15)
            c.dequeue = c.disconnect = c.enqueue + self._wait(90, 1800)
            c.disconnect_reason = "CUSTOMER_DISCONNECT" if rng.random() < 0.8 else "EXPIRED"
            c.last_update = c.disconnect + between(rng, 1, 20)
            return c, []
        self._queue_up(c, queue, t + between(rng, 3, 15), 60)
        assert c.agent is not None and c.connected_agent is not None
        turns = build_dialogue(rng, language, False, topic, self._slots(c, person))
        last_ms = perform_chat(turns, rng, language, c.connected_agent * 1000)
        customer_left = rng.random() < 0.65
        ended_ms = last_ms + between(rng, 3000, 40000)
        c.agent_left = c.disconnect = math.ceil(ended_ms / 1000)
        c.interaction_s = c.disconnect - c.connected_agent
        c.disconnect_reason = "CUSTOMER_DISCONNECT" if customer_left else "AGENT_DISCONNECT"
        c.acw_s = between(rng, 5, 60)
        c.last_update = c.agent_left + c.acw_s + between(rng, 1, 30)
        if rng.random() >= 0.92:
            return c, []  # Contact Lens did not analyse every chat
        iso = ts(c.connected_agent)
        assert iso is not None
        folder = _date_path(iso)
        stamp = time.strftime("%Y%m%dT%H:%M", time.gmtime(c.connected_agent))
        transcript_uri = (
            f"s3://{self.bucket}/connect/{self.alias}/ChatTranscripts/{folder}/{c.contact_id}_{stamp}_UTC.json"
        )
        source = analysis.Source(
            c.contact_id, self.directory.instance_id, self.directory.account_id, language, transcript_uri
        )
        session = analysis.ChatSession(
            customer_name=person.full if language == JA_JP else person.first,
            agent_name=c.agent.spoken_name,
            started_ms=t * 1000,
            agent_joined_ms=c.connected_agent * 1000,
            ended_ms=ended_ms,
            customer_left=customer_left,
        )
        original, redacted = analysis.chat_analysis(source, session, turns, rng)
        objects = [
            DemoObject(
                "analysis", f"Analysis/Chat/{folder}/{c.contact_id}_analysis_{iso}.json", original, "application/json"
            )
        ]
        if redacted is not None:
            objects.append(
                DemoObject(
                    "analysis",
                    f"Analysis/Chat/Redacted/{folder}/{c.contact_id}_analysis_redacted_{iso}.json",
                    redacted,
                    "application/json",
                )
            )
        return c, objects


def lifecycle_expiry(created: int, days: int) -> int:
    """From when an S3 expiration rule of `days` days may have removed an object created
    at `created` (epoch seconds). S3 acts at the next midnight UTC after that; the portal
    counts a recording as removed from this moment on, and so does the demo."""
    return created + max(0, days) * 86400


def generate_instance(
    *,
    contacts: int = 2000,
    seed: int = 7,
    now: datetime,
    bucket: str = "amazon-connect-demo",
    ctr_prefix: str = "ctr/",
    alias: str = "demo",
    recording_days: int = RECORDING_DAYS,
    days: int = DAYS,
    batch: int = 0,
    instance_arn: str = "",
) -> Iterator[DemoObject]:
    """Every S3 object of a demo Connect instance with `contacts` contacts in the `days` days before `now`.

    Objects stream out as they are made (analyses and recordings of a contact first,
    its record later inside a Firehose batch). Keys are relative to `bucket`;
    records sit under `ctr_prefix`. Every call that a lifecycle rule of
    `recording_days` days still keeps at `now` has its recordings; older calls keep
    the recording location in their record, the object being gone (0: no audio).
    """
    if contacts < 0:
        raise ValueError("contacts must be zero or more")
    instance = _Instance(contacts, seed, now, bucket, ctr_prefix, alias, recording_days, days, batch, instance_arn)
    yield from instance.run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the demo Amazon Connect instance and report its speed.")
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--recording-days", type=int, default=RECORDING_DAYS)
    parser.add_argument("--no-audio", action="store_true", help="same as --recording-days 0")
    parser.add_argument("--out", type=Path, help="also write the objects under this folder")
    args = parser.parse_args(argv)
    days = 0 if args.no_audio else args.recording_days
    now = datetime.now(UTC).replace(microsecond=0)
    totals: dict[str, list[int]] = {}
    started, cpu = time.perf_counter(), time.process_time()
    for obj in generate_instance(contacts=args.contacts, seed=args.seed, now=now, recording_days=days):
        count_bytes = totals.setdefault(obj.role, [0, 0])
        count_bytes[0] += 1
        count_bytes[1] += len(obj.body)
        if args.out:
            path = args.out / obj.key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(obj.body)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{args.contacts} contacts in {elapsed:.2f} s wall, {cpu:.2f} s CPU: "
        f"{args.contacts / elapsed:,.0f} contacts/s wall, {args.contacts / cpu:,.0f} contacts/s CPU"
    )
    for role, (count, size) in sorted(totals.items()):
        print(f"  {role:<9} {count:>8} objects {size / 1024 / 1024:>10.1f} MB")


if __name__ == "__main__":
    main()
