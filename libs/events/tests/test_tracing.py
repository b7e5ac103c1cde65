from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import get_current_span
from rinnalla_events._codec import EventCodec
from rinnalla_events._crypto import InMemoryKeyStore
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._memory import InMemoryEventStore
from rinnalla_events._tracing import context_from, with_current_trace
from rinnalla_events.sample_events import Counted, registry


async def test_the_command_trace_is_stored_with_its_events_and_can_be_continued() -> None:
    store = InMemoryEventStore(EventCodec(registry(), InMemoryKeyStore()))
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("POST /v1/children") as span:
        trace_id = span.get_span_context().trace_id
        metadata = with_current_trace(EventMetadata(actor="u"))
        await store.append("child", "c1", [Counted(n=1, label="a")], expected_version=0, metadata=metadata)
    envelope = (await store.read_stream("child", "c1"))[0].envelope
    assert envelope.traceparent is not None
    assert f"{trace_id:032x}" in envelope.traceparent
    continued = context_from({"traceparent": envelope.traceparent})
    assert get_current_span(continued).get_span_context().trace_id == trace_id


def test_without_a_current_span_nothing_is_invented() -> None:
    assert with_current_trace(EventMetadata(actor="u")).traceparent is None
