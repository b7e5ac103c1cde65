"""Older event payloads still read: a v1 nomination names no preschool."""

from __future__ import annotations

from enrollment_builders import nominate
from rinnalla_enrollment.bootstrap import event_registry
from rinnalla_enrollment.domain import child
from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.values import School


def test_a_v1_nomination_reads_as_one_from_an_unknown_preschool() -> None:
    (event,) = child.decide(child.initial(), nominate())
    v1 = event.model_dump(mode="json", exclude={"preschool"})

    payload = event_registry().upcast(e.ChildNominated.event_type, 1, v1)

    upcast = e.ChildNominated.model_validate(payload)
    assert upcast.preschool == School(name="(unknown)")
    assert upcast.model_copy(update={"preschool": event.preschool}) == event


def test_a_nomination_is_at_schema_version_2() -> None:
    assert e.ChildNominated.schema_version == 2
