"""The portal's own redaction of Japanese calls: a 5-minute call redacted and silenced
end to end, the demo back-fill rate, and how well the silence covers the personal data.

    .venv/bin/python -m bench.redaction_audio_bench [--contacts 300]

Real PostgreSQL (database `bench_redaction_audio`, recreated each run), the embedded S3
(a bucket of its own, removed afterwards) and the real redactor. The demo generator
knows when each personal-data span is spoken (demo.analysis.pii_millis); every
Japanese call it writes is recorded here, and the silenced spans the portal made are
compared with those. Target: 100 % of the spoken personal data silent.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import time
import uuid
import wave
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

DATABASE = "bench_redaction_audio"
RATE = 8000


def log(message: str) -> None:
    print(message, flush=True)


def _fresh_database() -> None:
    import psycopg

    from portal.devstack import load_service_env

    url = os.environ.get("DATABASE_URL") or load_service_env().get("DATABASE_URL")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _record_truth(truth: dict[str, list[tuple[int, int]]]) -> None:
    """Remember, for every Japanese call the demo writes, when its personal data is spoken."""
    from demo import analysis

    plain = analysis.voice_analysis

    def recording(source, timeline, rng):
        if source.language == "ja-JP":
            truth[source.contact_id] = analysis.redacted_spans(timeline)
        return plain(source, timeline, rng)

    analysis.voice_analysis = recording


def _covered(spans: list[tuple[int, int]], truth: list[tuple[int, int]]) -> tuple[int, int]:
    """(ms of truth inside `spans`, ms of truth)."""
    inside = total = 0
    for begin, end in truth:
        total += end - begin
        inside += sum(max(0, min(end, e) - max(begin, b)) for b, e in spans)
    return inside, total


def _silent_frames(wav: bytes, spans: list[tuple[int, int]]) -> bool:
    with wave.open(io.BytesIO(wav)) as w:
        frames = w.readframes(w.getnframes())
    width = 4  # stereo, 16-bit
    return all(not any(frames[b * RATE // 1000 * width : -(-e * RATE // 1000) * width]) for b, e in spans)


def demo_backfill(contacts: int) -> None:
    from demo.loader import demo_load
    from recordings import storage
    from redaction import services
    from search.models import ContactAnalysis

    truth: dict[str, list[tuple[int, int]]] = {}
    _record_truth(truth)
    started = time.perf_counter()
    demo_load(contacts=contacts, days=3, now=datetime.now(UTC).replace(microsecond=0))
    log(f"demo: {contacts} contacts over 3 days (all with audio) written and ingested in "
        f"{time.perf_counter() - started:.1f} s; {len(truth)} Japanese calls")  # fmt: skip

    started = time.perf_counter()
    outcomes = list(services.redaction_backfill())
    elapsed = time.perf_counter() - started
    made = [o for o in outcomes if not o.skipped]
    with_audio = [o for o in made if o.recording]
    log(f"back-fill: {len(made)} contacts ({len(with_audio)} recordings, "
        f"{sum(o.turns for o in made)} turns, {sum(o.entities for o in made)} entities) in {elapsed:.1f} s "
        f"= {len(made) / elapsed:.1f} contacts/s in one process")  # fmt: skip

    inside = total = silenced = length = checked = 0
    all_silent = True
    for analysis in ContactAnalysis.objects.filter(contact_id__in=list(truth), redacted_by="PORTAL"):
        doc = json.loads(storage.get_bytes(analysis.bucket, analysis.redacted_key))
        spans = _stored_spans(doc)
        a, b = _covered(spans, truth[analysis.contact_id])
        inside, total = inside + a, total + b
        duration = (doc.get("ConversationCharacteristics") or {}).get("TotalConversationDurationMillis") or 0
        silenced += sum(min(e, duration) - max(0, s) for s, e in spans if e > 0 and s < duration)
        length += duration
        if analysis.redacted_audio_key and checked < 40:  # read a sample of WAVs back from S3
            wav = storage.get_bytes(analysis.bucket, analysis.redacted_audio_key)
            all_silent &= _silent_frames(wav, truth[analysis.contact_id])
            checked += 1
    log(f"PII coverage: {100 * inside / max(total, 1):.2f} % of {total / 1000:.0f} s of spoken personal data "
        f"inside silenced spans; {checked} WAVs read back from S3: "
        f"{'all PII frames silent' if all_silent else 'PII AUDIBLE'}")  # fmt: skip
    log(f"silenced: {100 * silenced / max(length, 1):.1f} % of {length / 1000 / 60:.0f} min of Japanese call audio")


def _stored_spans(doc: dict) -> list[tuple[int, int]]:
    """The spans the portal silenced, as its redacted analysis records them per turn."""
    from redaction.audio import merge_spans

    return merge_spans(
        (stamp["BeginOffsetMillis"], stamp["EndOffsetMillis"])
        for item in doc.get("Transcript") or []
        for stamp in (item.get("Redaction") or {}).get("RedactedTimestamps") or []
    )


def five_minute_call() -> None:
    from django.conf import settings

    from hierarchy.models import Agent
    from recordings import storage
    from recordings.models import Recording
    from redaction import audio, services
    from search.models import Contact, ContactAnalysis

    bucket = settings.CONNECT_BUCKET
    cid = str(uuid.uuid4())
    rng = random.Random(5)
    lines = ["お電話ありがとうございます。担当の佐藤でございます。", "山田太郎と申します。解約の手続きをお願いしたいのですが。",
             "恐れ入りますが、ご登録のお電話番号をお願いいたします。", "090-1234-5678です。住所は東京都新宿区西新宿2-8-1です。",
             "ありがとうございます。確認いたしますので少々お待ちください。"]  # fmt: skip
    items, t = [], 500
    while t < 295_000:
        text = rng.choice(lines)
        duration = len(text) * 140 + 250
        role = "A" if "担当" in text or "恐れ入" in text or "確認" in text else "C"
        items.append({"ParticipantId": role, "Content": text, "BeginOffsetMillis": t, "EndOffsetMillis": t + duration,
                      "Sentiment": "NEUTRAL"})  # fmt: skip
        t += duration + 400
    doc = {"Version": "1.1.0", "Channel": "VOICE", "LanguageCode": "ja-JP", "ContentMetadata": {"Output": "Raw"},
           "CustomerMetadata": {"ContactId": cid},
           "Participants": [{"ParticipantId": "A", "ParticipantRole": "AGENT"},
                            {"ParticipantId": "C", "ParticipantRole": "CUSTOMER"}],
           "ConversationCharacteristics": {"TotalConversationDurationMillis": 300_000}, "Transcript": items}  # fmt: skip
    wav = io.BytesIO()
    with wave.open(wav, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(os.urandom(300 * RATE * 4))
    wav_key, json_key = f"connect/bench/CallRecordings/{cid}.wav", f"Analysis/Voice/bench/{cid}_analysis_x.json"
    storage.put_bytes(bucket, wav_key, wav.getvalue(), content_type="audio/wav")
    storage.put_bytes(bucket, json_key, json.dumps(doc, ensure_ascii=False).encode())
    contact = Contact.objects.create(contact_id=cid, channel="VOICE", last_update_ts=datetime.now(UTC),
                                     agent=Agent.objects.first())  # fmt: skip
    Recording.objects.create(contact=contact, location=f"{bucket}/{wav_key}")
    ContactAnalysis.objects.create(contact_id=cid, channel="VOICE", language_code="ja-JP", bucket=bucket,
                                   original_key=json_key)  # fmt: skip

    started = time.perf_counter()
    outcome = services.contact_redact(contact_id=cid)
    elapsed = time.perf_counter() - started
    out = io.BytesIO()
    spans = [(1000 * k, 1000 * k + 700) for k in range(0, 300, 3)]
    audio_started = time.perf_counter()
    body = wav.getvalue()
    audio.wav_silence([body[i : i + (1 << 20)] for i in range(0, len(body), 1 << 20)], out, spans)
    audio_only = time.perf_counter() - audio_started
    log(f"5-minute call ({len(items)} turns, {outcome.entities} entities, {len(wav.getvalue()) / 1e6:.1f} MB WAV): "
        f"redacted and silenced end to end in {elapsed * 1000:.0f} ms (S3 in and out, database); "
        f"silencing alone {audio_only * 1000:.0f} ms; {100 * outcome.silenced_share:.1f} % silenced")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=300)
    args = parser.parse_args()
    _fresh_database()
    from bench.common import setup_django

    setup_django(DATABASE)
    from django.conf import settings

    from portal.celery import app
    from recordings import storage
    from redaction import detector

    # Ingest queues the redaction for workers; none listens here, the bench runs it itself.
    app.conf.task_default_queue = f"bench-redaction-{uuid.uuid4().hex[:8]}"
    bucket = f"bench-redact-{uuid.uuid4().hex[:8]}"
    storage.ensure_bucket(bucket)
    settings.CONNECT_BUCKET, settings.CTR_SOURCE = bucket, f"s3://{bucket}/ctr/"
    started = time.perf_counter()
    detector.redact("テストです。", "ja-JP")
    log(f"redactor {detector.REDACTOR_VERSION}: model loaded in {time.perf_counter() - started:.1f} s (once a process)")
    try:
        five_minute_call()
        demo_backfill(args.contacts)
    finally:
        _drop_bucket(bucket)
        _drop_queue(app)


def _drop_bucket(bucket: str) -> None:
    from recordings import storage

    for key in storage.keys_under(bucket, ""):
        storage.delete_every_version(bucket, key)
    storage.client().delete_bucket(Bucket=bucket)


def _drop_queue(app) -> None:
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(app.conf.task_default_queue)


if __name__ == "__main__":
    main()
