"""The event log: events and their envelope, the PostgreSQL event store, the relay to NATS JetStream,
projections and erasure. Services and other libraries import what they need from here.

Importing this package only defines classes and functions: it opens no connection and registers no
metric. Its modules import each other by module path, never through this package, so importing it
(or any one module first) cannot run into a cycle. Test support stays in its own modules:
`rinnalla_events.testkit`, `rinnalla_events.sample_events`, `rinnalla_events.sample_projection`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rinnalla_events._bus_size import (
        DEFAULT_MAX_MESSAGE_BYTES,
        PLACEHOLDER_EVENT_TYPE,
        EventTooLarge,
        message_bytes,
    )
    from rinnalla_events._codec import PII_MARK, EventCodec, RecordedEvent
    from rinnalla_events._command_writer import CommandWriter, Idempotency, Loaded, Outcome, handle
    from rinnalla_events._connections import (
        AsyncpgConnections,
        ConnectionSource,
        PgConnection,
        PgRow,
        SqlAlchemyConnections,
    )
    from rinnalla_events._consumed import ConsumedEvent, ConsumedValue, register_consumed
    from rinnalla_events._contracts import PublishedSchemas, check_reader, check_readers
    from rinnalla_events._crypto import InMemoryKeyStore, KeyStore, PostgresKeyStore, new_master_key
    from rinnalla_events._ddl import create_schema_sql, install_store, store_ddl
    from rinnalla_events._envelope import Envelope, EventMetadata
    from rinnalla_events._erasure import SUBJECT_STREAM, SubjectErased, erase_subject
    from rinnalla_events._errors import (
        ConcurrencyConflict,
        EventLogError,
        InvalidEnvelope,
        SubjectAlreadyErased,
        SubjectNotDisclosed,
        UnknownEventType,
        UnsupportedSchemaVersion,
    )
    from rinnalla_events._event import ERASED, NOT_DISCLOSED, DomainEvent, Personal, StreamEvents, personal_fields
    from rinnalla_events._generations import (
        ViewBelongsToAnotherProjection,
        active_generation,
        create_generation,
        install_projections,
        lock_projection_ddl,
    )
    from rinnalla_events._handling import Decider, load
    from rinnalla_events._lag import projection_lag
    from rinnalla_events._memory import InMemoryEventStore
    from rinnalla_events._nats_connection import NatsSource, nats_connector
    from rinnalla_events._notify import install_notify_trigger, notify_trigger_ddl
    from rinnalla_events._parking import ParkedEvent, RetryOutcome, list_parked, retry_parked
    from rinnalla_events._projection import Projection, Tables, check_projection
    from rinnalla_events._projection_metrics import ProjectionMetrics
    from rinnalla_events._rebuild import ProgressCallback, RebuildInProgress, RebuildResult, rebuild
    from rinnalla_events._registry import EventRegistry, personal_paths
    from rinnalla_events._relay import EventTooLargeForBus, NotBlocked, Relay
    from rinnalla_events._store import (
        AppendResult,
        Cursor,
        EventStore,
        IdempotencyKeyReused,
        PostgresEventStore,
        StoredEvent,
        StreamWrite,
        fingerprint,
    )
    from rinnalla_events._subject_kinds import SubjectKinds, key_access_sql, subject_kind
    from rinnalla_events._subjects import (
        HEADER_EVENT_TYPE,
        HEADER_SCHEMA_VERSION,
        HEADER_TENANT,
        Subjects,
        ensure_stream,
    )
    from rinnalla_events._subscriber import ProjectionRunner

# Each public name and the private module that defines it: importing the package loads nothing, and a
# name loads its module on first use, so a pure domain module importing `DomainEvent` pulls in no driver.
_EXPORTS: dict[str, str] = {
    "SubjectKinds": "_subject_kinds",
    "subject_kind": "_subject_kinds",
    "key_access_sql": "_subject_kinds",
    "NOT_DISCLOSED": "_event",
    "SubjectNotDisclosed": "_errors",
    "check_readers": "_contracts",
    "check_reader": "_contracts",
    "PublishedSchemas": "_contracts",
    "register_consumed": "_consumed",
    "ConsumedValue": "_consumed",
    "ConsumedEvent": "_consumed",
    "PII_MARK": "_codec",
    "HEADER_TENANT": "_subjects",
    "HEADER_SCHEMA_VERSION": "_subjects",
    "HEADER_EVENT_TYPE": "_subjects",
    "AppendResult": "_store",
    "AsyncpgConnections": "_connections",
    "CommandWriter": "_command_writer",
    "ConcurrencyConflict": "_errors",
    "ConnectionSource": "_connections",
    "Cursor": "_store",
    "Decider": "_handling",
    "DomainEvent": "_event",
    "ERASED": "_event",
    "Envelope": "_envelope",
    "EventCodec": "_codec",
    "EventLogError": "_errors",
    "EventMetadata": "_envelope",
    "EventRegistry": "_registry",
    "EventStore": "_store",
    "Idempotency": "_command_writer",
    "IdempotencyKeyReused": "_store",
    "InMemoryEventStore": "_memory",
    "InMemoryKeyStore": "_crypto",
    "InvalidEnvelope": "_errors",
    "KeyStore": "_crypto",
    "Loaded": "_command_writer",
    "NatsSource": "_nats_connection",
    "Outcome": "_command_writer",
    "ParkedEvent": "_parking",
    "Personal": "_event",
    "PgConnection": "_connections",
    "PgRow": "_connections",
    "PostgresEventStore": "_store",
    "PostgresKeyStore": "_crypto",
    "ProgressCallback": "_rebuild",
    "Projection": "_projection",
    "ProjectionMetrics": "_projection_metrics",
    "ProjectionRunner": "_subscriber",
    "RebuildInProgress": "_rebuild",
    "RebuildResult": "_rebuild",
    "RecordedEvent": "_codec",
    "Relay": "_relay",
    "EventTooLargeForBus": "_relay",
    "NotBlocked": "_relay",
    "DEFAULT_MAX_MESSAGE_BYTES": "_bus_size",
    "PLACEHOLDER_EVENT_TYPE": "_bus_size",
    "EventTooLarge": "_bus_size",
    "message_bytes": "_bus_size",
    "RetryOutcome": "_parking",
    "SUBJECT_STREAM": "_erasure",
    "SqlAlchemyConnections": "_connections",
    "StoredEvent": "_store",
    "StreamEvents": "_event",
    "StreamWrite": "_store",
    "SubjectAlreadyErased": "_errors",
    "SubjectErased": "_erasure",
    "Subjects": "_subjects",
    "Tables": "_projection",
    "UnknownEventType": "_errors",
    "UnsupportedSchemaVersion": "_errors",
    "ViewBelongsToAnotherProjection": "_generations",
    "active_generation": "_generations",
    "check_projection": "_projection",
    "create_generation": "_generations",
    "create_schema_sql": "_ddl",
    "ensure_stream": "_subjects",
    "erase_subject": "_erasure",
    "fingerprint": "_store",
    "handle": "_command_writer",
    "install_notify_trigger": "_notify",
    "install_projections": "_generations",
    "install_store": "_ddl",
    "list_parked": "_parking",
    "load": "_handling",
    "lock_projection_ddl": "_generations",
    "nats_connector": "_nats_connection",
    "new_master_key": "_crypto",
    "notify_trigger_ddl": "_notify",
    "personal_fields": "_event",
    "personal_paths": "_registry",
    "projection_lag": "_lag",
    "rebuild": "_rebuild",
    "retry_parked": "_parking",
    "store_ddl": "_ddl",
}

__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "ERASED",
    "HEADER_EVENT_TYPE",
    "HEADER_SCHEMA_VERSION",
    "HEADER_TENANT",
    "NOT_DISCLOSED",
    "PII_MARK",
    "PLACEHOLDER_EVENT_TYPE",
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
    "EventTooLarge",
    "EventTooLargeForBus",
    "Idempotency",
    "IdempotencyKeyReused",
    "InMemoryEventStore",
    "InMemoryKeyStore",
    "InvalidEnvelope",
    "KeyStore",
    "Loaded",
    "NatsSource",
    "NotBlocked",
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
    "SubjectKinds",
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
    "create_schema_sql",
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
    "message_bytes",
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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
