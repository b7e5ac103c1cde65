"""The event log: events and their envelope, the PostgreSQL event store, the relay to NATS JetStream,
projections and erasure. Services and other libraries import what they need from here.

Importing this package only defines classes and functions: it opens no connection and registers no
metric. Its modules import each other by module path, never through this package, so importing it
(or any one module first) cannot run into a cycle. Test support stays in its own modules:
`rinnalla_events.testkit`, `rinnalla_events.sample_events`, `rinnalla_events.sample_projection`.
"""

from rinnalla_events.codec import EventCodec, RecordedEvent
from rinnalla_events.command_writer import CommandWriter, Idempotency, Loaded, Outcome, handle
from rinnalla_events.connections import (
    AsyncpgConnections,
    ConnectionSource,
    PgConnection,
    PgRow,
    SqlAlchemyConnections,
)
from rinnalla_events.consumed import ConsumedEvent, ConsumedValue, register_consumed
from rinnalla_events.contracts import PublishedSchemas, check_reader, check_readers
from rinnalla_events.crypto import InMemoryKeyStore, KeyStore, PostgresKeyStore, new_master_key
from rinnalla_events.ddl import install_store, store_ddl
from rinnalla_events.envelope import Envelope, EventMetadata
from rinnalla_events.erasure import SUBJECT_STREAM, SubjectErased, erase_subject
from rinnalla_events.errors import (
    ConcurrencyConflict,
    EventLogError,
    InvalidEnvelope,
    SubjectAlreadyErased,
    SubjectNotDisclosed,
    UnknownEventType,
    UnsupportedSchemaVersion,
)
from rinnalla_events.event import ERASED, NOT_DISCLOSED, DomainEvent, Personal, StreamEvents, personal_fields
from rinnalla_events.generations import (
    ViewBelongsToAnotherProjection,
    active_generation,
    create_generation,
    install_projections,
    lock_projection_ddl,
)
from rinnalla_events.handling import Decider, load
from rinnalla_events.lag import projection_lag
from rinnalla_events.memory import InMemoryEventStore
from rinnalla_events.nats_connection import NatsSource, nats_connector
from rinnalla_events.notify import install_notify_trigger, notify_trigger_ddl
from rinnalla_events.parking import ParkedEvent, RetryOutcome, list_parked, retry_parked
from rinnalla_events.projection import Projection, Tables, check_projection
from rinnalla_events.projection_metrics import ProjectionMetrics
from rinnalla_events.rebuild import ProgressCallback, RebuildInProgress, RebuildResult, rebuild
from rinnalla_events.registry import EventRegistry, personal_paths
from rinnalla_events.relay import Relay
from rinnalla_events.store import (
    AppendResult,
    Cursor,
    EventStore,
    IdempotencyKeyReused,
    PostgresEventStore,
    StoredEvent,
    StreamWrite,
    fingerprint,
)
from rinnalla_events.subject_kinds import key_access_sql, subject_kind
from rinnalla_events.subjects import Subjects, ensure_stream
from rinnalla_events.subscriber import ProjectionRunner

__all__ = [
    "ERASED",
    "NOT_DISCLOSED",
    "SUBJECT_STREAM",
    "AppendResult",
    "AsyncpgConnections",
    "CommandWriter",
    "ConcurrencyConflict",
    "ConnectionSource",
    "ConsumedEvent",
    "ConsumedValue",
    "Cursor",
    "Decider",
    "DomainEvent",
    "Envelope",
    "EventCodec",
    "EventLogError",
    "EventMetadata",
    "EventRegistry",
    "EventStore",
    "Idempotency",
    "IdempotencyKeyReused",
    "InMemoryEventStore",
    "InMemoryKeyStore",
    "InvalidEnvelope",
    "KeyStore",
    "Loaded",
    "NatsSource",
    "Outcome",
    "ParkedEvent",
    "Personal",
    "PgConnection",
    "PgRow",
    "PostgresEventStore",
    "PostgresKeyStore",
    "ProgressCallback",
    "Projection",
    "ProjectionMetrics",
    "ProjectionRunner",
    "PublishedSchemas",
    "RebuildInProgress",
    "RebuildResult",
    "RecordedEvent",
    "Relay",
    "RetryOutcome",
    "SqlAlchemyConnections",
    "StoredEvent",
    "StreamEvents",
    "StreamWrite",
    "SubjectAlreadyErased",
    "SubjectErased",
    "SubjectNotDisclosed",
    "Subjects",
    "Tables",
    "UnknownEventType",
    "UnsupportedSchemaVersion",
    "ViewBelongsToAnotherProjection",
    "active_generation",
    "check_projection",
    "check_reader",
    "check_readers",
    "create_generation",
    "ensure_stream",
    "erase_subject",
    "fingerprint",
    "handle",
    "install_notify_trigger",
    "install_projections",
    "install_store",
    "key_access_sql",
    "list_parked",
    "load",
    "lock_projection_ddl",
    "nats_connector",
    "new_master_key",
    "notify_trigger_ddl",
    "personal_fields",
    "personal_paths",
    "projection_lag",
    "rebuild",
    "register_consumed",
    "retry_parked",
    "store_ddl",
    "subject_kind",
]
