"""The retention job and the erasure service over an in-memory event store: who is erased, what is
reported, and that the identity index lets an erased child go."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from enrollment_builders import guardian
from in_memory_ports import InMemoryEventLog
from rinnalla_enrollment.application.erasure import Eraser
from rinnalla_enrollment.application.ports import SubjectKind
from rinnalla_enrollment.application.retention import RetentionJob
from rinnalla_enrollment.bootstrap import event_registry
from rinnalla_enrollment.domain import child, identity, records
from rinnalla_enrollment.domain import events as ev
from rinnalla_enrollment.domain.values import ExitReason
from rinnalla_events import DomainEvent, EventCodec, EventMetadata, InMemoryEventStore, InMemoryKeyStore
from rinnalla_security.retention import RetentionPolicy

AT = datetime(2025, 8, 8, 9, 0, tzinfo=UTC)
NOW = datetime(2031, 3, 1, 3, 0, tzinfo=UTC)


class Log:
    def __init__(self) -> None:
        self.keys = InMemoryKeyStore()
        self.store = InMemoryEventStore(EventCodec(event_registry(), self.keys))
        self.queries = InMemoryEventLog(self.store)
        self.eraser = Eraser(self.store, self.keys, self.queries, self.queries, lambda: NOW)

    async def append(self, stream_type: str, stream_id: str, *events: DomainEvent) -> None:
        version = await self.store.stream_version(stream_type, stream_id)
        await self.store.append(
            stream_type,
            stream_id,
            list(events),
            expected_version=version,
            metadata=EventMetadata(tenant="092", actor="coordinator"),
        )

    async def informed(self, child_id: str, *guardian_ids: str, on: date = date(2025, 8, 8)) -> None:
        guardians = tuple(guardian(g) for g in guardian_ids)
        await self.append(
            child.STREAM_TYPE,
            child_id,
            ev.GuardiansInformed(child_id=child_id, guardians=guardians, informed_on=on, at=AT),
        )

    async def declined(self, child_id: str, decided_on: date, *guardian_ids: str) -> None:
        await self.informed(child_id, *guardian_ids)
        await self.append(
            child.STREAM_TYPE,
            child_id,
            ev.ChildNotSelected(child_id=child_id, decided_on=decided_on, reason="guardians declined"),
        )

    async def exited(self, child_id: str, exited_on: date, lookup_key: str, *guardian_ids: str) -> str:
        """The child enrolled (claiming the identity of `lookup_key`) and left; returns the identity stream."""
        await self.informed(child_id, *guardian_ids)
        stream_id = await self.queries.stream_of(lookup_key)
        await self.append(identity.STREAM_TYPE, stream_id, identity.IdentityClaimed(child_id=child_id))
        await self.append(child.STREAM_TYPE, child_id, ev.ChildExited(
            child_id=child_id, team_id="team-1", exited_on=exited_on, reason=ExitReason.MOVED_AWAY))
        return stream_id

    async def erased(self, *subject_ids: str) -> list[bool]:
        return [await self.keys.is_erased(s) for s in subject_ids]


class FailingFor:
    """The erasure service, except that it fails for one person (a database hiccup, say)."""

    def __init__(self, eraser: Eraser, subject_id: str) -> None:
        self.eraser = eraser
        self.subject_id = subject_id

    async def erase(self, subject_id: str, kind: SubjectKind, *, reason: str, actor: str, tenant: str | None) -> object:
        if subject_id == self.subject_id:
            raise ConnectionError("the database went away")
        return await self.eraser.erase(subject_id, kind, reason=reason, actor=actor, tenant=tenant)


@pytest.fixture
def log() -> Log:
    return Log()


async def test_a_due_child_and_their_guardian_are_erased_and_the_identity_is_released(log: Log) -> None:
    stream_id = await log.exited("child-1", date(2026, 2, 1), "identity-key-1", "g-1")
    await log.informed("child-2", "g-2", on=date(2031, 1, 10))  # offered a month ago: still in the pipeline
    job = RetentionJob(log.queries, log.eraser, RetentionPolicy.default())

    report = await job.run(date(2031, 2, 1))

    assert [(r.subject_kind, r.subject_id, r.retention_class) for r in report.erased] == [
        ("child", "child-1", "programme_record"),
        ("guardian", "g-1", "programme_record"),
    ]
    assert report.ok and report.children_checked == 2
    assert await log.erased("child-1", "g-1", "child-2", "g-2") == [True, True, False, False]
    assert [r.envelope.event_type for r in await log.store.read_stream(identity.STREAM_TYPE, stream_id)] == [
        identity.IdentityClaimed.event_type, identity.IdentityReleased.event_type,
    ]
    assert log.queries.index == {}  # the lookup key (a derivative of the identity code) is gone
    erasure = await log.queries.erased("child-1")
    assert erasure is not None and (erasure.subject_kind, erasure.tenant) == ("child", "092")


async def test_a_second_run_erases_nothing_more(log: Log) -> None:
    await log.declined("child-1", date(2025, 8, 12), "g-1")
    job = RetentionJob(log.queries, log.eraser, RetentionPolicy.default())

    first = await job.run(date(2026, 3, 1))
    second = await job.run(date(2026, 3, 1))

    assert len(first.erased) == 2
    assert second.erased == [] and second.children_checked == 0
    assert second.lines() == ["retention on 2026-03-01: 0 children checked, 0 people erased, 0 failed"]


async def test_one_failed_erasure_is_reported_and_the_others_still_happen(log: Log) -> None:
    await log.declined("child-1", date(2025, 8, 12), "g-1")
    await log.declined("child-2", date(2025, 8, 12), "g-2")
    job = RetentionJob(log.queries, FailingFor(log.eraser, "child-1"), RetentionPolicy.default())

    report = await job.run(date(2026, 3, 1))

    assert not report.ok
    assert [(f.subject_id, f.error) for f in report.failed] == [("child-1", "ConnectionError: the database went away")]
    assert {r.subject_id for r in report.erased} == {"child-2", "g-1", "g-2"}
    assert report.lines()[-1] == "FAILED child child-1: ConnectionError: the database went away"
    retried = await RetentionJob(log.queries, log.eraser, RetentionPolicy.default()).run(date(2026, 3, 2))
    assert [r.subject_id for r in retried.erased] == ["child-1"]


async def test_erasing_again_answers_the_first_erasure(log: Log) -> None:
    await log.declined("child-1", date(2025, 8, 12), "g-1")

    first = await log.eraser.erase("child-1", "child", reason="request of 2026-03-02", actor="dpo", tenant="092")
    again = await log.eraser.erase("child-1", "child", reason="request of 2026-03-02", actor="dpo", tenant="092")

    assert not first.already_erased and again.already_erased
    assert again.erased_at == first.erased_at
    assert await log.queries.erased_subjects() == frozenset({"child-1"})


async def test_a_held_child_is_kept_and_the_report_says_which_hold_keeps_them(log: Log) -> None:
    await log.exited("child-1", date(2026, 2, 1), "identity-key-1", "g-1")
    await log.append(records.HOLD_STREAM_TYPE, "hold-1", records.LegalHoldPlaced(
        hold_id="hold-1", municipality_code="092", scope=records.HoldScope.CHILD, target_id="child-1",
        basis=records.HoldBasis.RESEARCH_STUDY, reference="THL/1234/2025", placed_on=date(2026, 3, 1),
        held_until=date(2035, 12, 31), placed_by="user-dpo.vantaa", at=NOW))
    job = RetentionJob(log.queries, log.eraser, RetentionPolicy.default())

    report = await job.run(date(2031, 2, 1))

    assert report.erased == [] and [h.subject_id for h in report.held] == ["child-1"]
    assert report.lines() == [
        "retention on 2031-02-01: 1 children checked, 0 people erased, 1 kept under a legal hold, 0 failed",
        "kept child child-1: programme_record: the period ended on 2031-02-01, kept under legal hold hold-1 "
        "(research_study, THL/1234/2025) on child child-1 until 2035-12-31",
    ]
    assert await log.erased("child-1", "g-1") == [False, False]
