"""Contacts as Connect records them, their Contact Lens analyses and transcript index.

Phone numbers, attributes and the raw record are stored only encrypted (`*_enc`);
exact search goes through keyed hashes (`*_hash`). Analyses, transcript turns and the
search documents join to contacts by Connect's `ContactId` without a foreign-key
constraint, because Contact Lens files often arrive before the contact record.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from hierarchy.models import Agent
from portal.fields import SealedTextField


class _NamedResource(models.Model):
    """A Connect resource known by its id, ARN and display name (queues, routing profiles)."""

    arn = models.CharField(max_length=512, blank=True)
    name = models.CharField(max_length=256)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Queue(_NamedResource):
    queue_id = models.CharField(max_length=64, unique=True)


class RoutingProfile(_NamedResource):
    routing_profile_id = models.CharField(max_length=64, unique=True)


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContactQuerySet:
        # SECURITY: the only door to contacts; see hierarchy.access.
        from hierarchy.access import contact_scope

        return self.filter(contact_scope(user))


def contact_arn(contact_id: str, instance_arn: str = "") -> str:
    """A contact's ARN under the instance its own record names; a record that names
    none was accepted as this portal's instance's."""
    return f"{instance_arn or settings.CONNECT_INSTANCE_ARN}/contact/{contact_id}"


class Contact(models.Model):
    contact_id = models.CharField(max_length=64, db_collation="C")  # unique: `contact_id_unique` below
    initial_contact_id = models.CharField(max_length=64, blank=True)
    previous_contact_id = models.CharField(max_length=64, blank=True)
    next_contact_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=16)
    initiation_method = models.CharField(max_length=32, blank=True)
    disconnect_reason = models.CharField(max_length=64, blank=True)

    initiation_ts = models.DateTimeField(null=True)
    connected_to_system_ts = models.DateTimeField(null=True)
    connected_to_agent_ts = models.DateTimeField(null=True)
    disconnect_ts = models.DateTimeField(null=True)
    scheduled_ts = models.DateTimeField(null=True)
    enqueue_ts = models.DateTimeField(null=True)
    dequeue_ts = models.DateTimeField(null=True)
    transfer_completed_ts = models.DateTimeField(null=True)
    last_update_ts = models.DateTimeField()
    duration_seconds = models.IntegerField(null=True, help_text="Disconnect minus initiation")

    # No single-column indexes on agent and queue: contact_agent and contact_queue lead with them.
    agent = models.ForeignKey(Agent, null=True, on_delete=models.SET_NULL, related_name="contacts", db_index=False)
    # The agent's hierarchy groups when the contact was handled (Connect group ids).
    hierarchy_l1 = models.CharField(max_length=64, null=True)
    hierarchy_l2 = models.CharField(max_length=64, null=True)
    hierarchy_l3 = models.CharField(max_length=64, null=True)
    hierarchy_l4 = models.CharField(max_length=64, null=True)
    hierarchy_l5 = models.CharField(max_length=64, null=True)
    hierarchy_names = models.JSONField(default=list, help_text="Group names at the time, level 1 first")
    queue = models.ForeignKey(Queue, null=True, on_delete=models.SET_NULL, related_name="contacts", db_index=False)
    routing_profile = models.ForeignKey(RoutingProfile, null=True, on_delete=models.SET_NULL, related_name="contacts")

    agent_interaction_seconds = models.IntegerField(null=True)
    customer_hold_seconds = models.IntegerField(null=True)
    number_of_holds = models.IntegerField(null=True)
    longest_hold_seconds = models.IntegerField(null=True)
    after_contact_work_seconds = models.IntegerField(null=True)
    queue_seconds = models.IntegerField(null=True)

    customer_phone_enc = models.BinaryField(null=True)
    customer_phone_hash = models.BinaryField(null=True)
    system_phone_enc = models.BinaryField(null=True)
    system_phone_hash = models.BinaryField(null=True)
    transferred_to_enc = models.BinaryField(null=True)
    attributes_enc = models.BinaryField(null=True)
    raw_enc = models.BinaryField(null=True)

    language_locale = models.CharField(max_length=16, blank=True)
    redaction_policy = models.CharField(max_length=32, blank=True)
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = SealedTextField(blank=True)
    # The record's own InstanceARN (empty when the record names none).
    instance_arn = models.CharField(max_length=256, blank=True, default="", db_default="")
    # Set once the customer's personal data was erased (erasure/): the row keeps only
    # non-personal facts, and ingest never writes personal data onto it again.
    erased_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["-initiation_ts", "-id"], name="contact_initiation"),
            models.Index(fields=["-connected_to_agent_ts", "-id"], name="contact_connected"),
            models.Index(fields=["-disconnect_ts", "-id"], name="contact_disconnect"),
            models.Index(fields=["-scheduled_ts", "-id"], name="contact_scheduled"),
            models.Index(fields=["-enqueue_ts", "-id"], name="contact_enqueue"),
            # The other sort orders, so a page is a walk along an index, not a sort of
            # every match.
            models.Index(fields=["-duration_seconds", "-id"], name="contact_duration"),
            models.Index(fields=["channel", "id"], name="contact_channel"),
            models.Index(fields=["initiation_method", "id"], name="contact_method"),
            # Hierarchy levels: the partial covering indexes contact_scope_l1..l5 (migration 0005).
            models.Index(fields=["agent", "-initiation_ts"], name="contact_agent"),
            models.Index(fields=["queue", "-initiation_ts"], name="contact_queue"),
            models.Index(fields=["customer_phone_hash"], name="contact_customer_phone"),
            models.Index(fields=["system_phone_hash"], name="contact_system_phone"),
            models.Index(fields=["initial_contact_id"], name="contact_initial"),
        ]
        constraints = [
            # Transcripts and analyses point at contacts by Connect's id. Searching them,
            # every match is checked against its contact's scope and start; carrying
            # those here answers the check from the index, without visiting the table.
            models.UniqueConstraint(
                fields=["contact_id"],
                include=["initiation_ts", "agent", *[f"hierarchy_l{level}" for level in range(1, 6)]],
                name="contact_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.contact_id

    @property
    def arn(self) -> str:
        return contact_arn(self.contact_id, self.instance_arn)


class ContactAttributeIndex(models.Model):
    """Keyed hashes of each attribute value; only admin-chosen keys are searchable."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="attribute_index")
    key = models.CharField(max_length=256)
    value_hash = models.BinaryField()

    class Meta:
        # The contact in the index: an attribute search reads its matches without
        # visiting the table.
        indexes = [models.Index(fields=["key", "value_hash"], include=["contact"], name="attribute_key_value_contact")]
        constraints = [models.UniqueConstraint(fields=["contact", "key"], name="attribute_once_per_contact")]


class SearchableAttributeKey(models.Model):
    key = models.CharField(max_length=256, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


ANALYSIS_FILTERED = [
    "agent_sentiment",
    "customer_sentiment",
    "agent_sentiment_begin",
    "agent_sentiment_end",
    "customer_sentiment_begin",
    "customer_sentiment_end",
    "non_talk_ms",
    "non_talk_percent",
    "interruptions",
    "categories",
    "original_key",
    "redacted_key",
]


class ContactAnalysis(models.Model):
    """What Contact Lens found, from the original and/or redacted analysis file."""

    contact = models.OneToOneField(
        Contact,
        to_field="contact_id",
        db_column="contact_id",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="analysis",
    )
    channel = models.CharField(max_length=16)
    language_code = models.CharField(max_length=16, blank=True)
    version = models.CharField(max_length=32, blank=True)
    bucket = models.CharField(max_length=256)
    original_key = models.CharField(max_length=1024, blank=True)
    redacted_key = models.CharField(max_length=1024, blank=True)
    redacted_audio_key = models.CharField(max_length=1024, blank=True)

    total_duration_ms = models.IntegerField(null=True)
    agent_sentiment = models.FloatField(null=True)
    customer_sentiment = models.FloatField(null=True)
    agent_sentiment_quarters = ArrayField(models.FloatField(), null=True)
    customer_sentiment_quarters = ArrayField(models.FloatField(), null=True)
    # First and last quarter kept as columns so a sentiment-shift search is indexable.
    agent_sentiment_begin = models.FloatField(null=True)
    agent_sentiment_end = models.FloatField(null=True)
    customer_sentiment_begin = models.FloatField(null=True)
    customer_sentiment_end = models.FloatField(null=True)
    non_talk_ms = models.IntegerField(null=True)
    non_talk_percent = models.FloatField(null=True)
    interruptions = models.IntegerField(null=True)
    talk_time_ms = models.IntegerField(null=True)
    talk_time_by_participant = models.JSONField(default=dict)
    categories = ArrayField(models.CharField(max_length=256), default=list)
    category_points = models.JSONField(default=dict)
    # Who made the redacted version: Contact Lens, or the portal itself for a language
    # Contact Lens does not redact (redaction/). The portal's output is redone when its
    # redactor changes or the original it was made from is replaced.
    redacted_by = models.CharField(max_length=16, blank=True, default="", db_default="")
    redactor_version = models.CharField(max_length=64, blank=True, default="", db_default="")
    redacted_from_key = models.CharField(max_length=1024, blank=True, default="", db_default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            GinIndex(fields=["categories"], name="analysis_categories"),
            # Every column the search filters read (search.selectors.filters), so a
            # search probing analyses contact by contact never visits the table.
            models.Index(fields=["contact"], include=ANALYSIS_FILTERED, name="analysis_contact_filtered"),
            # A sentiment search over a broad scope (a team over two years) matches
            # ~100,000 analyses: read as an index range with the contact id alongside
            # rather than by scanning every analysis (restricted shift count 148 → 55 ms).
            *(
                models.Index(fields=[f"{role}_sentiment"], include=["contact"], name=f"analysis_{role}_score")
                for role in ("agent", "customer")
            ),
            *(
                models.Index(
                    fields=[f"{role}_sentiment_begin", f"{role}_sentiment_end"],
                    include=["contact"],
                    name=f"analysis_{role}_shift",
                )
                for role in ("agent", "customer")
            ),
        ]

    CONTACT_LENS = "CONTACT_LENS"
    PORTAL = "PORTAL"

    @property
    def redaction_state(self) -> str:
        if self.redacted_key:
            return "REDACTED"
        return "NOT_REDACTED" if self.original_key else "MISSING"


class TranscriptTurn(models.Model):
    """One turn of the **redacted** transcript. Original text is never stored here."""

    contact = models.ForeignKey(
        Contact,
        to_field="contact_id",
        db_column="contact_id",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="transcript_turns",
    )
    position = models.IntegerField()
    participant_role = models.CharField(max_length=32)
    begin_ms = models.IntegerField(null=True)
    end_ms = models.IntegerField(null=True)
    sentiment = models.CharField(max_length=16, blank=True)
    content = models.TextField()
    # The kinds of personal data the portal's redactor removed from this turn (NAME,
    # PHONE, ...), so a reader sees what was taken out; NULL for Contact Lens turns.
    redacted_types = ArrayField(models.CharField(max_length=32), null=True, blank=True)

    class Meta:
        ordering = ["contact", "position"]
        constraints = [models.UniqueConstraint(fields=["contact", "position"], name="turn_once")]


class TranscriptSearchDoc(models.Model):
    """The full-text index of one contact's transcript.

    `version` REDACTED indexes the redacted text; ORIGINAL exists only for contacts that
    have no redacted analysis (Contact Lens does not redact Japanese) and may be matched
    only by users with unredacted transcript access. The portal's own redaction
    (redaction/) replaces a contact's ORIGINAL document with a REDACTED one. Writers weight lexemes per
    participant (A agent, B customer, C system / others); the database stores each as a
    role-prefixed lexeme (`b:refund`), so the GIN index alone answers a role's words.
    """

    REDACTED = "REDACTED"
    ORIGINAL = "ORIGINAL"

    contact = models.OneToOneField(
        Contact,
        to_field="contact_id",
        db_column="contact_id",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="search_doc",
    )
    version = models.CharField(max_length=16, choices=[(REDACTED, REDACTED), (ORIGINAL, ORIGINAL)])
    document = SearchVectorField()

    # The contact's scope (the fields `hierarchy.access.contact_scope` reads) and start,
    # copied here so a search can intersect the GIN index with scope and time indexes of
    # this table before joining contacts. Database triggers (search/sql/scope_copy.sql)
    # write them whenever the document or its contact is written; Python never does.
    # NULL until the contact arrives. Analyses carry no copy: their searches filter on
    # unindexed metrics or on categories a contact lacks, which no index narrows.
    agent = models.ForeignKey(
        Agent, null=True, db_constraint=False, db_index=False, on_delete=models.DO_NOTHING, related_name="+"
    )
    hierarchy_l1 = models.CharField(max_length=64, null=True)
    hierarchy_l2 = models.CharField(max_length=64, null=True)
    hierarchy_l3 = models.CharField(max_length=64, null=True)
    hierarchy_l4 = models.CharField(max_length=64, null=True)
    hierarchy_l5 = models.CharField(max_length=64, null=True)
    initiation_ts = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            GinIndex(fields=["document"], name="transcript_document"),
            # One branch at any level, the user's own contacts, or a time range alone.
            *[
                models.Index(
                    fields=[f"hierarchy_l{level}", "initiation_ts"],
                    name=f"transcript_scope_l{level}",
                    condition=models.Q(**{f"hierarchy_l{level}__isnull": False}),
                )
                for level in range(1, 6)
            ],
            models.Index(fields=["agent", "initiation_ts"], name="transcript_scope_agent"),
            models.Index(fields=["initiation_ts"], name="transcript_initiation"),
        ]


class IngestedObject(models.Model):
    """An S3 object (by ETag) or local file (by content hash) already read."""

    source = models.CharField(max_length=2048)
    etag = models.CharField(max_length=128)
    kind = models.CharField(max_length=16)
    ingested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "etag"], name="ingested_once")]


class IngestRejection(models.Model):
    source = models.CharField(max_length=2048)
    position = models.CharField(max_length=64, blank=True, help_text="record number or byte offset")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class SavedSearch(models.Model):
    """A user's named search: the page's query string, private to its owner."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=120)
    # Sealed: a saved query can name a customer or hold their number.
    query = SealedTextField(help_text="The search page's query string")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_search_name_once")]

    def __str__(self) -> str:
        return self.name
