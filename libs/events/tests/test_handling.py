from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from rinnalla_events._codec import EventCodec
from rinnalla_events._command_writer import Idempotency, handle
from rinnalla_events._crypto import InMemoryKeyStore
from rinnalla_events._envelope import EventMetadata
from rinnalla_events._errors import ConcurrencyConflict
from rinnalla_events._event import DomainEvent
from rinnalla_events._handling import Decider, load
from rinnalla_events._memory import InMemoryEventStore
from rinnalla_events.sample_events import Counted, registry

META = EventMetadata(actor="t")


@dataclass(frozen=True)
class Add:
    n: int


def evolve(total: int, event: DomainEvent) -> int:
    return total + event.n if isinstance(event, Counted) else total


def decide(total: int, command: Add) -> Sequence[DomainEvent]:
    if total + command.n > 10:
        raise ValueError("the total may not exceed 10")
    return [Counted(n=command.n, label="add")] if command.n else []


COUNTER = Decider[int, Add]("counter", lambda: 0, evolve, decide)


@pytest.fixture
def store() -> InMemoryEventStore:
    return InMemoryEventStore(EventCodec(registry(), InMemoryKeyStore()))


async def test_handle_loads_decides_and_appends(store: InMemoryEventStore) -> None:
    await handle(store, COUNTER, "a", Add(4), META)
    added = await handle(store, COUNTER, "a", Add(5), META)
    assert added.result == {"stream_type": "counter", "stream_id": "a", "events": ["test.Counted"]}
    assert await load(store, COUNTER, "a") == (9, 2)
    with pytest.raises(ValueError, match="exceed 10"):
        await handle(store, COUNTER, "a", Add(2), META)


async def test_a_command_that_decides_nothing_changes_nothing(store: InMemoryEventStore) -> None:
    await handle(store, COUNTER, "a", Add(4), META)
    outcome = await handle(store, COUNTER, "a", Add(0), META)
    assert not outcome.changed
    assert outcome.result["events"] == []
    assert await load(store, COUNTER, "a") == (4, 1)


async def test_a_retried_command_is_not_decided_again(store: InMemoryEventStore) -> None:
    first = await handle(store, COUNTER, "a", Add(6), META, idempotency=Idempotency("k", "f"))
    again = await handle(store, COUNTER, "a", Add(6), META, idempotency=Idempotency("k", "f"))
    assert not first.replayed
    assert again.replayed
    assert again.result == first.result
    assert await load(store, COUNTER, "a") == (6, 1)


async def test_a_write_between_load_and_append_conflicts(store: InMemoryEventStore) -> None:
    class Racing(InMemoryEventStore):
        async def read_stream(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
            loaded = await super().read_stream(*args, **kwargs)  # type: ignore[arg-type]
            await InMemoryEventStore.append(
                self, "counter", "a", [Counted(n=1, label="other")], expected_version=len(loaded), metadata=META
            )
            return loaded

    racing = Racing(store.codec)
    with pytest.raises(ConcurrencyConflict):
        await handle(racing, COUNTER, "a", Add(1), META)
