"""A customer known to the portal the way Connect makes them known: contact-record files
(gzip and plain, each written twice, so the bucket holds older versions), Contact Lens
files (original and redacted) and recordings in a versioned S3 bucket, ingested as the
poller would. Plus the probe that looks for the customer anywhere afterwards."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from portal import crypto
from portal.audit.models import AuditEvent
from portal.phone import phone_blind_index
from recordings import storage
from search.ingest.runner import ingest_sources
from search.models import Contact
from tests.ctr_builder import ctr
from tests.recordings.conftest import (  # noqa: F401
    _analysis_doc,
    _fast_passwords,
    _session_worker,
    celery_queue,
    make_media,
    org,
    people,
    s3_versioned,
    wav_bytes,
    worker,
)

NUMBER = "+81 90-4417-2963"
# The number in the spellings people and systems use, and the words the customer said.
NEEDLES = ("+819044172963", "09044172963", "9044172963", "44172963", "4417-2963", "4417 2963",
           "Zebedee", "Quixote", "pineapple")  # fmt: skip
OTHER_NUMBER = "+81312345678"
ORIGINAL_WORDS = "I am Zebedee Quixote, my number is 090 4417 2963"
REDACTED_WORDS = "I am [NAME], my number is [PHONE], about my pineapple order"
OTHER_WORDS = "I would like to change my delivery address"


@dataclass
class World:
    bucket: str
    mine: list[str]  # the customer's contacts
    other: str  # another customer's contact, in the same files
    files: dict[str, bytes] = field(default_factory=dict)  # every object as first written

    def keys_of(self, contact_id: str) -> list[str]:
        return [key for key in self.files if contact_id in key]


def _lens_files(contact_id: str, original: str, redacted_text: str) -> dict[str, bytes]:
    base = f"Analysis/Voice/2026/11/01/{contact_id}_analysis_2026-11-01T09:05:00Z.json"
    redacted = f"Analysis/Voice/Redacted/2026/11/01/{contact_id}_analysis_redacted_2026-11-01T09:05:00Z.json"
    audio = redacted.replace("_analysis_redacted_", "_call_recording_redacted_").removesuffix(".json") + ".wav"
    return {
        base: json.dumps(_analysis_doc(contact_id, original, redacted=False)).encode(),
        redacted: json.dumps(_analysis_doc(contact_id, redacted_text, redacted=True)).encode(),
        audio: wav_bytes(seconds=0.2),
    }


def build_world(bucket: str, org, *, customer_contacts: int = 2, groups=None, agent=None) -> World:  # noqa: F811
    """Write Connect's files into `bucket` (each CTR file twice) and ingest them."""
    agent = agent or org.alice
    groups = groups or (org.east.group_id, org.east_team.group_id)
    mine = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1, customer_contacts + 1)]
    other = "00000000-0000-4000-8000-0000000000ff"
    world = World(bucket, mine, other)
    records = {}
    for cid in [*mine, other]:
        number = OTHER_NUMBER if cid == other else "+819044172963"
        record = ctr(cid, agent=agent.agent_id, groups=groups)
        record["CustomerEndpoint"] = {"Address": number, "Type": "TELEPHONE_NUMBER"}
        record["Attributes"] = {"callerName": "Zebedee" if cid != other else "Someone", "callback": number}
        record["Recording"]["Location"] = (
            f"{bucket}/connect/demo/CallRecordings/2026/11/01/{cid}_20261101T09:00_UTC.wav"
        )
        records[cid] = record
        world.files[record["Recording"]["Location"].split("/", 1)[1]] = wav_bytes(seconds=0.2)
        words = (OTHER_WORDS, OTHER_WORDS) if cid == other else (ORIGINAL_WORDS, REDACTED_WORDS)
        world.files.update(_lens_files(cid, *words))
    first, rest = [*mine[:1], other], mine[1:]
    gz = "".join(json.dumps(records[cid]) for cid in first).encode()
    world.files["ctr/2026/11/01/09/portal-stream-1-2026-11-01-09-10-00.gz"] = gzip.compress(gz)
    world.files["ctr/2026/11/01/10/portal-stream-1-2026-11-01-10-10-00"] = "".join(
        json.dumps(records[cid]) + "\n" for cid in rest
    ).encode()
    for key, body in world.files.items():
        if key.startswith("ctr/"):
            # The same records delivered before: the bucket keeps that older version too.
            storage.put_bytes(bucket, key, gzip.compress(gz + b"\n") if key.endswith(".gz") else body + b"\n")
        storage.put_bytes(bucket, key, body)
    report = ingest_sources([f"s3://{bucket}/ctr/", f"s3://{bucket}/Analysis/"])
    assert report.contacts == len(records) and not report.rejections, report.rejections
    return world


@pytest.fixture
def world(s3_versioned, settings, org) -> World:  # noqa: F811
    settings.CTR_SOURCE = f"s3://{s3_versioned}/ctr/"
    return build_world(s3_versioned, org)


# --- The probe ------------------------------------------------------------------------------

_TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY", "tsvector", "bytea")


def database_texts() -> list[tuple[str, str]]:
    """(table.column, text) of every text-like value of every table, with what the app
    can decrypt decrypted: contact PII, sealed columns, the audit log's sealed details."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
            " JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
            " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.data_type = ANY(%s)",
            [list(_TEXT_TYPES)],
        )
        for table, column, kind in cursor.fetchall():
            expression = f'"{column}"' if kind == "bytea" else f'"{column}"::text'
            cursor.execute(f'SELECT {expression} FROM "{table}" WHERE "{column}" IS NOT NULL')
            for (value,) in cursor.fetchall():
                text = bytes(value).decode("utf-8", "ignore") if kind == "bytea" else str(value)
                found.append((f"{table}.{column}", text))
        cursor.execute(
            "SELECT contact_id, customer_phone_enc, system_phone_enc, transferred_to_enc, attributes_enc, raw_enc"
            " FROM search_contact"
        )
        for contact_id, *tokens in cursor.fetchall():
            found += [("search_contact (decrypted)", crypto.decrypt(bytes(t), context=contact_id).decode())
                      for t in tokens if t is not None]  # fmt: skip
    found += [
        ("audit (unsealed)", json.dumps(e.readable_details(), ensure_ascii=False)) for e in AuditEvent.objects.all()
    ]
    found += _sealed_columns()
    return found


def _sealed_columns() -> list[tuple[str, str]]:
    from django.apps import apps

    from portal.fields import SealedTextField

    found = []
    for model in apps.get_models():
        for field_ in model._meta.concrete_fields:
            if isinstance(field_, SealedTextField):
                found += [(f"{model._meta.label}.{field_.name}", str(value))
                          for value in model.objects.values_list(field_.name, flat=True) if value]  # fmt: skip
    return found


def redis_texts() -> list[tuple[str, str]]:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    found = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        values = {
            "string": lambda k: [client.get(k)],
            "hash": lambda k: [*client.hgetall(k).keys(), *client.hgetall(k).values()],
            "list": lambda k: client.lrange(k, 0, -1),
            "set": lambda k: list(client.smembers(k)),
            "zset": lambda k: [m for m, _ in client.zrange(k, 0, -1, withscores=True)],
        }.get(kind, lambda k: [])(key)
        found += [(key.decode("utf-8", "replace"), _text(value)) for value in [key, *values] if value is not None]
    return found


def s3_texts(bucket: str) -> list[tuple[str, str]]:
    """Every version of every object in the bucket, gunzipped where gzip."""
    client = storage.client()
    found = []
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for item in page.get("Versions", []):
            body = client.get_object(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"])["Body"].read()
            found.append((f"{item['Key']}@{item['VersionId']}", _text(body)))
    return found


def _text(value: bytes | str) -> str:
    if isinstance(value, str):
        return value
    if value[:2] == b"\x1f\x8b":
        value = gzip.decompress(value)
    return value.decode("utf-8", "ignore")


def leaks(texts: list[tuple[str, str]], needles: tuple[str, ...] = NEEDLES) -> list[tuple[str, str]]:
    return [(where, needle) for where, text in texts for needle in needles if needle.lower() in text.lower()]


def customer_media(bucket: str, *, agent, count: int) -> list:
    """Contacts of the customer with media in S3, made directly (quicker than ingesting)."""
    media = [make_media(bucket, agent=agent) for _ in range(count)]
    for item in media:
        Contact.objects.filter(pk=item.contact.pk).update(
            customer_phone_enc=crypto.encrypt_text(NUMBER, context=item.contact_id),
            customer_phone_hash=phone_blind_index(NUMBER),
        )
    return media


def local_copy(world: World, folder: Path) -> Path:
    """The original CTR and Contact Lens files, as a back-fill would find them on disk."""
    for key, body in world.files.items():
        if key.startswith(("ctr/", "Analysis/")) and not key.endswith(".wav"):
            path = folder / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
    return folder
