"""The instrument register: one stream per instrument code, ("instrument", <code>), holding the versions
defined as data. The built-in versions (SDQ, the feedback surveys) precede any defined ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from pydantic import AwareDatetime
from rinnalla_events import DomainEvent

from rinnalla_caselog.domain.errors import AlreadyExists, InvalidValue
from rinnalla_caselog.domain.instruments import BUILT_IN, Code, InstrumentVersion
from rinnalla_caselog.domain.values import Value

STREAM_TYPE = "instrument"


class InstrumentVersionDefined(DomainEvent):
    event_type: ClassVar[str] = "caselog.InstrumentVersionDefined"
    definition: InstrumentVersion
    defined_by: str
    at: AwareDatetime


INSTRUMENT_EVENTS: tuple[type[DomainEvent], ...] = (InstrumentVersionDefined,)


class DefineInstrumentVersion(Value):
    code: Code
    definition: InstrumentVersion
    at: AwareDatetime


@dataclass(frozen=True)
class InstrumentState:
    defined: tuple[InstrumentVersion, ...] = ()


def initial() -> InstrumentState:
    return InstrumentState()


def evolve(state: InstrumentState, event: DomainEvent) -> InstrumentState:
    if isinstance(event, InstrumentVersionDefined):
        return InstrumentState((*state.defined, event.definition))
    return state


def versions(code: str, state: InstrumentState) -> tuple[InstrumentVersion, ...]:
    """Every version of the instrument, the built-in ones first, by version number."""
    return tuple(sorted((*BUILT_IN.get(code, ()), *state.defined), key=lambda v: v.version))


def version_of(code: str, version: int, state: InstrumentState) -> InstrumentVersion | None:
    return next((v for v in versions(code, state) if v.version == version), None)


def decide(state: InstrumentState, command: DefineInstrumentVersion, author_id: str) -> Sequence[DomainEvent]:
    definition = command.definition
    if definition.code != command.code:
        raise InvalidValue("definition.code", f"the path names instrument {command.code}, the body {definition.code}")
    definition.check()
    known = versions(command.code, state)
    if any(v.version == definition.version for v in known):
        raise AlreadyExists("definition.version", f"{command.code} v{definition.version} is already defined")
    for earlier in known:
        if earlier.version < definition.version:
            definition.comparable_with(earlier)
    return [InstrumentVersionDefined(definition=definition, defined_by=author_id, at=command.at)]
