"""How events are laid out in NATS JetStream: one stream per publishing service.

- stream:  `<PREFIX>_<SERVICE>` (upper case), e.g. `RINNALLA_ENROLLMENT`
- subjects: `<prefix>.<service>.<stream_type>.<event_type>`, e.g.
  `rinnalla.enrollment.child.enrollment.ChildEnrolled`; a consumer of everything a service publishes
  filters on `<prefix>.<service>.>`
- body: the envelope as JSON (personal fields are ciphertext); headers: `Nats-Msg-Id` (= event id, so
  JetStream drops duplicates within its window), W3C `traceparent`/`tracestate`, `Rinnalla-Event-Type`,
  `Rinnalla-Schema-Version`, `Rinnalla-Tenant`.
- streams are file-backed, keep everything (no age or size limit: the log is kept), replicas configurable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from rinnalla_events._envelope import Envelope

if TYPE_CHECKING:
    from rinnalla_events._store import WireEvent

_TOKEN = re.compile(r"^[a-z][a-z0-9_-]*$")
DUPLICATE_WINDOW = timedelta(minutes=2)

HEADER_EVENT_TYPE = "Rinnalla-Event-Type"
HEADER_SCHEMA_VERSION = "Rinnalla-Schema-Version"
HEADER_TENANT = "Rinnalla-Tenant"


@dataclass(frozen=True)
class Subjects:
    prefix: str = "rinnalla"

    def __post_init__(self) -> None:
        if not _TOKEN.match(self.prefix):
            raise ValueError(f"invalid subject prefix {self.prefix!r}")

    def stream_name(self, service: str) -> str:
        return f"{self.prefix}_{service}".upper().replace("-", "_")

    def all_of(self, service: str) -> str:
        return f"{self.prefix}.{service}.>"

    def subject_for(self, service: str, envelope: Envelope | WireEvent) -> str:
        return f"{self.prefix}.{service}.{envelope.stream_type}.{envelope.event_type}"


def headers_for(envelope: Envelope | WireEvent) -> dict[str, str]:
    headers = {
        "Nats-Msg-Id": str(envelope.event_id),
        HEADER_EVENT_TYPE: envelope.event_type,
        HEADER_SCHEMA_VERSION: str(envelope.schema_version),
    }
    if envelope.tenant:
        headers[HEADER_TENANT] = envelope.tenant
    if envelope.traceparent:
        headers["traceparent"] = envelope.traceparent
    if envelope.tracestate:
        headers["tracestate"] = envelope.tracestate
    return headers


async def ensure_stream(js: Any, subjects: Subjects, service: str, *, replicas: int = 1) -> None:
    """Create (or update) the service's stream: file storage, nothing ever expires."""
    from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    config = StreamConfig(
        name=subjects.stream_name(service),
        subjects=[subjects.all_of(service)],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        max_age=0,
        max_msgs=-1,
        max_bytes=-1,
        num_replicas=replicas,
        duplicate_window=DUPLICATE_WINDOW.total_seconds(),
    )
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
    else:
        await js.update_stream(config)
