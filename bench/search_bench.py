"""Contact search at scale: 1,000,000 contacts over 24 months, each query class run
through the API as an unrestricted and a hierarchy-restricted manager, beside the
same SQL run straight through psycopg.

    .venv/bin/python -m bench.search_bench [--contacts 1000000] [--runs 30] [--rebuild] [--explain]

The database `bench_portal` (same server) is built once, straight in SQL, and reused.
Targets: p95 ≤ 150 ms for every class; API time ≤ 2 × the raw SQL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.common import percentile, setup_django, use_database

DATABASE = "bench_portal"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 730
L1, L2_PER_L1, L3_PER_L2, AGENTS_PER_TEAM = 2, 4, 5, 20
QUEUES, ROUTING_PROFILES = 20, 8
PHONE_POOL = 200_000
ACCOUNT_POOL = 100_000
EN_POOL, JA_POOL, RARE_WORDS = 20_000, 6_000, 5_000
TIERS = (("platinum", 0.05), ("gold", 0.20), ("silver", 0.35), ("bronze", 0.40))
CATEGORIES = (("Billing", 0.20), ("Cancellation", 0.10), ("Complaint", 0.06), ("Escalation", 0.03), ("Upsell", 0.08))

EN_AGENT = (
    "thank you for calling how can I help you today", "let me check your account for you",
    "I can help with that", "is there anything else I can help you with",
    "I will transfer you to the billing team", "your refund has been processed",
    "I understand your frustration", "please hold while I look into this", "I have updated your address",
    "the payment is due next week", "may I have your name please", "I am sorry for the inconvenience",
    "your order will arrive on Friday", "I have reset your password", "the technician will visit tomorrow",
)  # fmt: skip
EN_CUSTOMER = (
    "I want to cancel my account", "I have a question about my bill", "my internet is not working",
    "I was charged twice this month", "I would like a refund", "can you update my address",
    "I want to upgrade my plan", "the delivery is late again", "thank you very much",
    "I forgot my password", "my name is [NAME]", "the router keeps restarting", "why is my bill so high",
    "I would like to speak to a manager", "the app crashes when I log in",
)  # fmt: skip
JA_AGENT = (
    "お電話ありがとうございます", "ご用件をお伺いします", "確認いたしますので少々お待ちください", "かしこまりました",
    "解約の手続きを承ります", "請求内容を確認いたします", "ほかにご質問はございますか", "ご不便をおかけして申し訳ございません",
    "担当部署におつなぎします", "本日中に折り返しご連絡いたします",
)  # fmt: skip
JA_CUSTOMER = (
    "契約を解約したいのですが", "請求書の金額が間違っています", "住所を変更したいです", "パスワードを忘れました",
    "料金プランを変更したい", "配送が遅れています", "ありがとうございました", "インターネットがつながりません",
    "二重に請求されています", "返金をお願いしたいです",
)  # fmt: skip


def log(message: str) -> None:
    print(message, flush=True)


# --- Data -------------------------------------------------------------------------------


def _pool_texts(rng: random.Random) -> list[tuple[int, str, str, str]]:
    """Distinct transcripts (id, language, agent text, customer text) that contacts share."""
    rows = []
    for i in range(EN_POOL):
        agent = ". ".join(rng.choice(EN_AGENT) for _ in range(rng.randint(3, 6)))
        customer = ". ".join(rng.choice(EN_CUSTOMER) for _ in range(rng.randint(3, 6)))
        customer += f". reference rareword{rng.randrange(RARE_WORDS):04d}"
        rows.append((i, "en", agent, customer))
    for i in range(JA_POOL):
        agent = "。".join(rng.choice(JA_AGENT) for _ in range(rng.randint(3, 5)))
        customer = "。".join(rng.choice(JA_CUSTOMER) for _ in range(rng.randint(2, 4)))
        rows.append((EN_POOL + i, "ja", agent, customer))
    return rows


def _directory() -> None:
    from hierarchy.models import Agent, HierarchyGroup
    from search.models import Queue, RoutingProfile, SearchableAttributeKey

    for a in range(1, L1 + 1):
        top = HierarchyGroup.objects.create(group_id=f"bench-l1-{a}", name=f"Region {a}", level=1)
        for b in range(1, L2_PER_L1 + 1):
            mid = HierarchyGroup.objects.create(
                group_id=f"bench-l2-{a}-{b}", name=f"Centre {a}-{b}", level=2, parent=top
            )
            for c in range(1, L3_PER_L2 + 1):
                team = HierarchyGroup.objects.create(
                    group_id=f"bench-l3-{a}-{b}-{c}", name=f"Team {a}-{b}-{c}", level=3, parent=mid
                )
                Agent.objects.bulk_create(
                    Agent(agent_id=f"bench-agent-{a}-{b}-{c}-{n:02d}", username=f"agent{a}{b}{c}{n:02d}",
                          hierarchy_group=team)
                    for n in range(1, AGENTS_PER_TEAM + 1)
                )  # fmt: skip
    Queue.objects.bulk_create(Queue(queue_id=f"bench-q-{i}", name=f"Queue {i}") for i in range(QUEUES))
    RoutingProfile.objects.bulk_create(
        RoutingProfile(routing_profile_id=f"bench-rp-{i}", name=f"Profile {i}") for i in range(ROUTING_PROFILES)
    )
    SearchableAttributeKey.objects.get_or_create(key="customerTier")
    SearchableAttributeKey.objects.get_or_create(key="accountNumber")


def _copy(cur, table: str, columns: str, rows) -> None:
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _pools(cur, rng: random.Random) -> None:
    from portal.crypto import attribute_blind_index
    from portal.phone import phone_blind_index

    cur.execute("CREATE UNLOGGED TABLE bench_phone (n int PRIMARY KEY, e164 text, hash bytea)")
    phones = [(n, f"+8190{n:08d}") for n in range(PHONE_POOL)]
    _copy(cur, "bench_phone", "n, e164, hash", ((n, e, phone_blind_index(e)) for n, e in phones))
    cur.execute("CREATE UNLOGGED TABLE bench_account (n int PRIMARY KEY, hash bytea)")
    _copy(cur, "bench_account", "n, hash",
          ((n, attribute_blind_index("accountNumber", f"ACC-{n:06d}")) for n in range(ACCOUNT_POOL)))  # fmt: skip
    cur.execute("CREATE UNLOGGED TABLE bench_tier (n int PRIMARY KEY, low float, high float, hash bytea)")
    low, rows = 0.0, []
    for n, (tier, share) in enumerate(TIERS):
        rows.append((n, low, low + share, attribute_blind_index("customerTier", tier)))
        low += share
    _copy(cur, "bench_tier", "n, low, high, hash", rows)
    cur.execute("CREATE UNLOGGED TABLE bench_pool (id int PRIMARY KEY, lang text, agent text, customer text)")
    _copy(cur, "bench_pool", "id, lang, agent, customer", _pool_texts(rng))
    cur.execute(
        "CREATE UNLOGGED TABLE bench_pool_doc AS "
        "SELECT id, lang, portal_fts_document(agent, customer, '') AS document FROM bench_pool"
    )
    cur.execute("ALTER TABLE bench_pool_doc ADD PRIMARY KEY (id)")


_CONTACTS_SQL = """
WITH agents AS (
  SELECT row_number() OVER (ORDER BY a.id) AS n, a.id, g3.group_id AS l3, g2.group_id AS l2, g1.group_id AS l1,
         jsonb_build_array(g1.name, g2.name, g3.name) AS names
  FROM hierarchy_agent a JOIN hierarchy_hierarchygroup g3 ON g3.id = a.hierarchy_group_id
  JOIN hierarchy_hierarchygroup g2 ON g2.id = g3.parent_id JOIN hierarchy_hierarchygroup g1 ON g1.id = g2.parent_id
  WHERE a.agent_id LIKE 'bench-agent-%%%%'
), queues AS (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM search_queue),
   profiles AS (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM search_routingprofile),
raw AS (
  SELECT g, random() AS r_agent, random() AS r_channel, random() AS r_method, random() AS r_lang,
         (30 + floor(random() * 1800))::int AS duration, floor(random() * %(phones)s)::int AS phone,
         %(start)s::timestamptz + (g * %(step)s) * interval '1 second' AS started
  FROM generate_series(1, %(n)s) AS g
)
INSERT INTO search_contact (
  contact_id, initial_contact_id, previous_contact_id, next_contact_id, channel, initiation_method,
  disconnect_reason, initiation_ts, connected_to_system_ts, connected_to_agent_ts, disconnect_ts, enqueue_ts,
  last_update_ts, duration_seconds, agent_id, hierarchy_l1, hierarchy_l2, hierarchy_l3, hierarchy_names, queue_id,
  routing_profile_id, customer_phone_hash, system_phone_hash, language_locale, redaction_policy, legal_hold,
  legal_hold_reason, created_at, updated_at)
SELECT md5('bench' || r.g)::uuid::text, '', '', '',
  CASE WHEN r.r_channel < 0.80 THEN 'VOICE' WHEN r.r_channel < 0.95 THEN 'CHAT' ELSE 'TASK' END,
  CASE WHEN r.r_method < 0.70 THEN 'INBOUND' WHEN r.r_method < 0.90 THEN 'OUTBOUND'
       WHEN r.r_method < 0.95 THEN 'TRANSFER' ELSE 'API' END,
  CASE WHEN r.r_method < 0.6 THEN 'CUSTOMER_DISCONNECT' ELSE 'AGENT_DISCONNECT' END,
  r.started, r.started + interval '1 second',
  CASE WHEN a.id IS NOT NULL THEN r.started + interval '20 seconds' END,
  r.started + r.duration * interval '1 second', r.started + interval '5 seconds',
  r.started + (r.duration + 60) * interval '1 second', r.duration,
  a.id, a.l1, a.l2, a.l3, COALESCE(a.names, '[]'::jsonb),
  (SELECT id FROM queues WHERE queues.n = mod(r.g, %(queues)s)),
  CASE WHEN a.id IS NOT NULL THEN (SELECT id FROM profiles WHERE profiles.n = mod(r.g, %(profiles)s)) END,
  p.hash, NULL, CASE WHEN r.r_lang < 0.3 THEN 'ja-JP' ELSE 'en-US' END,
  CASE WHEN r.r_lang < 0.3 THEN 'None' ELSE 'RedactedAndOriginal' END, false, '', now(), now()
FROM raw r
LEFT JOIN agents a ON r.r_agent < 0.92 AND a.n = 1 + mod(r.g::bigint * 7919, (SELECT count(*) FROM agents))
JOIN bench_phone p ON p.n = r.phone
"""

_ANALYSES_SQL = """
INSERT INTO search_contactanalysis (
  contact_id, channel, language_code, version, bucket, original_key, redacted_key, redacted_audio_key,
  total_duration_ms, agent_sentiment, customer_sentiment, agent_sentiment_quarters, customer_sentiment_quarters,
  agent_sentiment_begin, agent_sentiment_end, customer_sentiment_begin, customer_sentiment_end,
  non_talk_ms, non_talk_percent, interruptions, talk_time_ms, talk_time_by_participant, categories,
  category_points, updated_at)
SELECT c.contact_id, c.channel, c.language_locale, '1.1.0', 'bench',
  'Analysis/Voice/' || c.contact_id || '.json',
  CASE WHEN c.language_locale = 'en-US' THEN 'Analysis/Voice/Redacted/' || c.contact_id || '.json' ELSE '' END,
  '', c.duration_seconds * 1000, s.agent, s.customer, ARRAY[s.ab, s.agent, s.agent, s.ae],
  ARRAY[s.cb, s.customer, s.customer, s.ce], s.ab, s.ae, s.cb, s.ce,
  (c.duration_seconds * 1000 * s.nt)::int, round((s.nt * 100)::numeric, 2)::float, s.interruptions,
  (c.duration_seconds * 1000 * (1 - s.nt))::int, '{}'::jsonb,
  array_remove(ARRAY[%(categories)s]::varchar[], NULL), '{}'::jsonb, now()
FROM search_contact c
CROSS JOIN LATERAL (
  SELECT round((random() * 10 - 5)::numeric, 1)::float AS agent, round((random() * 10 - 5)::numeric, 1)::float AS customer,
         round((random() * 10 - 5)::numeric, 1)::float AS ab, round((random() * 10 - 5)::numeric, 1)::float AS ae,
         round((random() * 10 - 5)::numeric, 1)::float AS cb, round((random() * 10 - 5)::numeric, 1)::float AS ce,
         random() * 0.4 AS nt, floor(random() * 8)::int AS interruptions, c.id AS pin
) s
WHERE c.channel <> 'TASK'
"""

_DOCS_SQL = """
INSERT INTO search_transcriptsearchdoc (contact_id, version, document)
SELECT c.contact_id, CASE WHEN c.language_locale = 'en-US' THEN 'REDACTED' ELSE 'ORIGINAL' END, d.document
FROM search_contact c
JOIN bench_pool_doc d ON d.id = CASE WHEN c.language_locale = 'en-US'
     THEN mod(c.id * 2654435761, %(en)s) ELSE %(en)s + mod(c.id * 2654435761, %(ja)s) END
WHERE c.channel <> 'TASK'
"""

_ATTRIBUTES_SQL = """
INSERT INTO search_contactattributeindex (contact_id, key, value_hash)
SELECT c.id, 'customerTier', t.hash FROM search_contact c
CROSS JOIN LATERAL (SELECT random() AS r, c.id AS pin) x JOIN bench_tier t ON x.r >= t.low AND x.r < t.high
UNION ALL
SELECT c.id, 'accountNumber', a.hash FROM search_contact c JOIN bench_account a ON a.n = mod(c.id * 40503, %(accounts)s)
"""


def _drop_indexes(cur, tables: list[str]) -> list[str]:
    """Index definitions of `tables`, dropped for a fast load. Unique ones stay: the
    search documents' triggers find each document's contact by its unique id."""
    cur.execute(
        "SELECT i.indexdef, i.indexname FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
        "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = ANY(%s) AND NOT x.indisunique",
        [tables],
    )
    rows = cur.fetchall()
    for _, name in rows:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for definition, _ in rows]


def generate(n: int) -> None:
    from django.db import connection

    rng = random.Random(42)
    started = time.perf_counter()
    _directory()
    tables = ["search_contact", "search_contactanalysis", "search_transcriptsearchdoc", "search_contactattributeindex"]
    with connection.cursor() as cursor:
        cur = cursor.cursor
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET work_mem = '256MB'")
        cur.execute("SELECT setseed(0.42)")
        definitions = _drop_indexes(cur, tables)
        _pools(cur, rng)
        log(f"  pools and {EN_POOL + JA_POOL:,} transcript documents: {time.perf_counter() - started:.0f} s")
        start = NOW - timedelta(days=DAYS)
        step = DAYS * 86400 / n
        cur.execute(_CONTACTS_SQL % {"phones": PHONE_POOL, "start": "%s", "step": step, "n": n,
                                     "queues": QUEUES, "profiles": ROUTING_PROFILES}, [start])  # fmt: skip
        log(f"  {n:,} contacts: {time.perf_counter() - started:.0f} s")
        categories = ", ".join(f"CASE WHEN random() < {share} THEN '{name}' END" for name, share in CATEGORIES)
        cur.execute(_ANALYSES_SQL % {"categories": categories})
        log(f"  analyses: {time.perf_counter() - started:.0f} s")
        cur.execute(_DOCS_SQL % {"en": EN_POOL, "ja": JA_POOL})
        log(f"  transcript documents: {time.perf_counter() - started:.0f} s")
        cur.execute(_ATTRIBUTES_SQL % {"accounts": ACCOUNT_POOL})
        log(f"  attribute index: {time.perf_counter() - started:.0f} s")
        for definition in definitions:
            cur.execute(definition)
        log(f"  indexes rebuilt: {time.perf_counter() - started:.0f} s")
        for table in tables:
            cur.execute(f"VACUUM (ANALYZE) {table}")
        cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (contacts int)")
        cur.execute("TRUNCATE bench_meta")
        cur.execute("INSERT INTO bench_meta VALUES (%s)", [n])
    log(f"generated {n:,} contacts in {time.perf_counter() - started:.0f} s")


def prepare_database(contacts: int, rebuild: bool) -> bool:
    """Point Django at the benchmark database; drop it first when it holds another
    size (the audit log refuses deletes, so starting over means a new database).
    Returns whether the data must be generated."""
    import psycopg

    url = use_database(DATABASE)
    with psycopg.connect(url, autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass('bench_meta') IS NOT NULL").fetchone()[0]
        have = conn.execute("SELECT contacts FROM bench_meta").fetchone() if found else None
    if have and have[0] == contacts and not rebuild:
        log(f"reusing {DATABASE}: {have[0]:,} contacts")
        return False
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return True


# --- Users ------------------------------------------------------------------------------


def managers() -> tuple:
    """(unrestricted, restricted) managers with API tokens; both may read unredacted text,
    so they hold an MFA authenticator like real users of that profile must."""
    from allauth.mfa.models import Authenticator

    from hierarchy.models import HierarchyGroup
    from portal.accounts import permissions as p
    from portal.accounts.default_profiles import DEFAULT_PROFILES
    from portal.accounts.models import SecurityProfile, User
    from portal.accounts.tokens import token_create

    everywhere = [name for name in DEFAULT_PROFILES["CallCenterManager"] if name != p.RESTRICT_BY_HIERARCHY]
    profiles = {
        "bench-unrestricted": everywhere,
        "bench-restricted": DEFAULT_PROFILES["CallCenterManager"],
    }
    result = []
    for username, permissions in profiles.items():
        profile, _ = SecurityProfile.objects.update_or_create(name=username, defaults={"permissions": permissions})
        user, _ = User.objects.get_or_create(username=username)
        restricted = username == "bench-restricted"
        user.hierarchy_group = HierarchyGroup.objects.get(group_id="bench-l2-1-2") if restricted else None
        user.save()
        user.security_profiles.set([profile])
        Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}})
        result.append((user, token_create(user=user, name="bench")))
    return tuple(result)


# --- Query classes ----------------------------------------------------------------------


def _range(months: int = 24) -> dict:
    end = NOW + timedelta(days=1)
    return {"Type": "INITIATION_TIMESTAMP", "StartTime": int((end - timedelta(days=30 * months + 5)).timestamp()),
            "EndTime": int(end.timestamp())}  # fmt: skip


def _words(role: str, *texts: str, match: str = "MATCH_ALL") -> dict:
    return {"ContactAnalysis": {"Transcript": {"Criteria": [
        {"ParticipantRole": role, "SearchText": list(texts), "MatchType": match}]}}}  # fmt: skip


def query_classes(restricted_user) -> dict[str, dict]:
    """name → request body. Sample values are taken from the restricted user's scope, so
    both personas have something to find."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.contact_id, a.agent_id, p.e164 FROM search_contact c JOIN hierarchy_agent a ON a.id = c.agent_id "
            "JOIN bench_phone p ON p.hash = c.customer_phone_hash WHERE c.hierarchy_l2 = %s "
            "ORDER BY c.id DESC LIMIT 1",
            [restricted_user.hierarchy_group.group_id],
        )
        contact_id, agent_id, phone = cur.fetchone()
        # A rare word (about 1 in 5,000 transcripts) that occurs in the restricted scope too.
        cur.execute(
            "SELECT (regexp_match(d.document::text, 'rareword[0-9]+'))[1] FROM search_transcriptsearchdoc d "
            "JOIN search_contact c ON c.contact_id = d.contact_id WHERE c.hierarchy_l2 = %s "
            "AND d.version = 'REDACTED' ORDER BY c.id DESC LIMIT 1",
            [restricted_user.hierarchy_group.group_id],
        )
        rare = cur.fetchone()[0]
    return {
        "24-month range": {"TimeRange": _range()},
        "agent": {"TimeRange": _range(), "SearchCriteria": {"AgentIds": [agent_id]}},
        "phone number": {"TimeRange": _range(), "SearchCriteria": {"CustomerPhoneNumber": phone}},
        "attribute": {
            "TimeRange": _range(),
            "SearchCriteria": {
                "SearchableContactAttributes": {"Criteria": [{"Key": "customerTier", "Values": ["platinum"]}]}
            },
        },  # fmt: skip
        "common English keyword": {"TimeRange": _range(), "SearchCriteria": _words("CUSTOMER", "account")},
        "rare English keyword": {"TimeRange": _range(), "SearchCriteria": _words("CUSTOMER", rare)},
        "Japanese keyword": {"TimeRange": _range(), "SearchCriteria": _words("CUSTOMER", "解約")},
        "quoted phrase": {"TimeRange": _range(), "SearchCriteria": _words("CUSTOMER", '"cancel my account"')},
        "sentiment score": {
            "TimeRange": _range(),
            "SearchCriteria": {"Sentiment": {"ParticipantRole": "CUSTOMER", "Type": "SCORE", "Max": -3}},
        },  # fmt: skip
        "sentiment shift": {
            "TimeRange": _range(),
            "SearchCriteria": {
                "Sentiment": {"ParticipantRole": "CUSTOMER", "Type": "SHIFT", "BeginMax": -1, "EndMin": 1}
            },
        },  # fmt: skip
        "categories none": {
            "TimeRange": _range(),
            "SearchCriteria": {"Categories": {"Names": ["Complaint"], "MatchType": "MATCH_NONE"}},
        },  # fmt: skip
        "everything combined": {
            "TimeRange": _range(6),
            "SearchCriteria": {
                "Channels": ["VOICE"],
                "InitiationMethods": ["INBOUND", "OUTBOUND"],
                **_words("CUSTOMER", "refund", "bill", match="MATCH_ANY"),
                "Sentiment": {"ParticipantRole": "CUSTOMER", "Type": "SCORE", "Max": 0},
                "Categories": {"Names": ["Complaint"], "MatchType": "MATCH_NONE"},
                "SearchableContactAttributes": {"Criteria": [{"Key": "customerTier", "Values": ["gold", "platinum"]}]},
                "MinDurationSeconds": 60,
            },
        },  # fmt: skip
        "contact id": {"SearchCriteria": {"ContactId": contact_id}},
    }


def sort_classes() -> dict[str, dict]:
    """The 24-month range in every sort order, a page of 100 and then the next one."""
    from search.criteria import SORT_FIELDS

    return {
        f"{field.lower()} {order.lower()}": {
            "TimeRange": _range(), "Sort": {"FieldName": field, "Order": order}, "MaxResults": 100,
        }  # fmt: skip
        for field in SORT_FIELDS
        for order in ("ASCENDING", "DESCENDING")
    }


@dataclass
class Measured:
    api: list[float]
    sql: list[float]
    total: int
    rows: int


def _search_sql(queries: list[dict]) -> list[str]:
    """The statements of one API call that read contacts (not auth, session or audit),
    with the session settings the search makes for them."""
    return [
        q["sql"]
        for q in queries
        if ("search_contact" in q["sql"] or "set_config" in q["sql"]) and not q["sql"].startswith(("INSERT", "UPDATE"))
    ]


def _timed_call(client, token: str, request: dict) -> tuple[float, dict]:
    """One API call: (milliseconds, answer)."""
    payload = json.dumps(request)
    started = time.perf_counter()
    response = client.post("/api/v1/search-contacts", payload, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    if response.status_code != 200:
        raise SystemExit(f"API answered {response.status_code}: {response.content[:300]!r}")
    return (time.perf_counter() - started) * 1000, response.json()


def measure(client, token: str, body: dict, runs: int, raw) -> Measured:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _, answer = _timed_call(client, token, body)
    statements = _search_sql(captured.captured_queries)
    api, sql = [], []
    for _ in range(runs):
        api.append(_timed_call(client, token, body)[0])
        started = time.perf_counter()
        with raw.transaction():
            for statement in statements:
                raw.execute(statement).fetchall()
        sql.append((time.perf_counter() - started) * 1000)
    return Measured(api, sql, answer["TotalCount"], len(answer["Contacts"]))


def explain(body: dict, user, raw) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search.criteria import criteria_from_api
    from search.selectors import contact_search

    with CaptureQueriesContext(connection) as captured:
        contact_search(user=user, criteria=criteria_from_api(body).criteria, page_size=100)
    for statement in _search_sql(captured.captured_queries):
        if "set_config" in statement:
            raw.execute(statement.replace(", true)", ", false)"))
            continue
        plan = raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement).fetchall()
        log("    " + statement[:600])
        for (line,) in plan:
            log("      " + line)


def sorts(client, unrestricted, restricted, runs: int) -> None:
    """API p50 / p95 of the first page and of the next one, per sort order and persona."""
    log(f"\n{'sort order':<40} {'persona':<12} {'page 1 p50':>10} {'p95':>7} {'page 2 p50':>10} {'p95':>7}")
    for name, body in sort_classes().items():
        for persona, (_, token) in (("unrestricted", unrestricted), ("restricted", restricted)):
            _, answer = _timed_call(client, token, body)  # warm caches
            following = {**body, "NextToken": answer["NextToken"]}
            first = [_timed_call(client, token, body)[0] for _ in range(runs)]
            second = [_timed_call(client, token, following)[0] for _ in range(runs)]
            log(f"{name:<40} {persona:<12} {percentile(first, 50):10.1f} {percentile(first, 95):7.1f} "
                f"{percentile(second, 50):10.1f} {percentile(second, 95):7.1f}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true", help="drop and regenerate the data")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) for each class")
    parser.add_argument("--only", default="", help="run only classes whose name contains this")
    args = parser.parse_args(argv)

    fresh = prepare_database(args.contacts, args.rebuild)
    setup_django(DATABASE)
    import psycopg
    from django.conf import settings
    from django.test import Client

    if fresh:
        log(f"generating {args.contacts:,} contacts in {DATABASE}")
        generate(args.contacts)
    unrestricted, restricted = managers()
    classes = query_classes(restricted[0])
    settings.DEBUG = False
    client = Client()
    # Django sends every statement unprepared, so PostgreSQL plans it on each call; the raw
    # side must too (psycopg would otherwise prepare it from the fifth run and skip the
    # planning), or the ratio would count planning as our overhead.
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, prepare_threshold=None) as raw:
        log(f"\n{'class':<24} {'persona':<12} {'total':>7} {'API p50':>8} {'API p95':>8} "
            f"{'SQL p50':>8} {'SQL p95':>8} {'ratio':>6}")  # fmt: skip
        worst = 0.0
        for name, body in classes.items() if args.only != "sort" else ():
            if args.only and args.only not in name:
                continue
            for persona, (user, token) in (("unrestricted", unrestricted), ("restricted", restricted)):
                measure(client, token, body, 2, raw)  # warm caches
                m = measure(client, token, body, args.runs, raw)
                api50, api95 = percentile(m.api, 50), percentile(m.api, 95)
                sql50, sql95 = percentile(m.sql, 50), percentile(m.sql, 95)
                worst = max(worst, api95)
                total = f"{m.total:,}" if m.total < settings.SEARCH_RESULT_CAP else "10,000+"
                log(f"{name:<24} {persona:<12} {total:>7} {api50:8.1f} {api95:8.1f} {sql50:8.1f} {sql95:8.1f} "
                    f"{api50 / sql50 if sql50 else 0:6.1f}")  # fmt: skip
                if args.explain:
                    explain(body, user, raw)
        log(f"\nworst API p95: {worst:.1f} ms (target ≤ 150 ms)")
        if not args.only or args.only == "sort":
            sorts(client, unrestricted, restricted, max(3, args.runs // 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
