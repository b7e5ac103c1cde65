"""The projection: one enrollment event in, the read-model rows it changes out (inside the caller's
transaction, so rows and checkpoint move together)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import rinnalla_consent as consent
from rinnalla_events.codec import RecordedEvent
from rinnalla_events.event import DomainEvent
from rinnalla_refdata import mask_hetu

from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.consent_facts import consent_facts
from rinnalla_enrollment.domain.values import Guardian, parse_iso_date
from rinnalla_enrollment.projections.tables import READ_SCHEMA, TABLES

S = READ_SCHEMA
_FACT_TYPES: dict[str, type[consent.ConsentFact]] = {
    cls.__name__: cls
    for cls in (
        consent.SubjectRegistered,
        consent.GuardiansChanged,
        consent.ConsentGiven,
        consent.ConsentRefused,
        consent.ConsentWithdrawn,
        consent.ConsentExpired,
        consent.MinorProhibitionRecorded,
        consent.MinorProhibitionLifted,
        consent.MinorUnderstandingAssessed,
    )
}


def fact_to_json(fact: consent.ConsentFact) -> str:
    data: dict[str, Any] = fact.model_dump(mode="json")
    if "guardian_ids" in data:
        data["guardian_ids"] = sorted(data["guardian_ids"])  # a frozenset: keep rebuilds byte-identical
    return json.dumps({"type": type(fact).__name__, "data": data}, sort_keys=True)


def fact_from_json(text: str) -> consent.ConsentFact:
    raw = json.loads(text)
    return _FACT_TYPES[raw["type"]].model_validate(raw["data"])


async def consent_view_of(conn: Any, child_id: str) -> consent.ConsentView:
    rows = await conn.fetch(
        f"SELECT fact::text AS fact FROM {S}.consent_facts WHERE child_id = $1 ORDER BY seq", child_id
    )
    return consent.fold(fact_from_json(row["fact"]) for row in rows)


class EnrollmentReadModel:
    """Applies events to the tables of `projections.tables`. Idempotent per event is not needed: the
    checkpoint moves in the same transaction, so each event is applied exactly once."""

    name = "enrollment_read_model"

    async def clear(self, conn: Any) -> None:
        for table in TABLES:
            # DELETE, not TRUNCATE: readers keep seeing the old rows until the rebuild commits.
            await conn.execute(f"DELETE FROM {S}.{table}")

    async def apply(self, conn: Any, recorded: RecordedEvent) -> None:
        event = recorded.event
        await self._apply(conn, event)
        facts = consent_facts(event)
        if facts:
            child_id = recorded.envelope.stream_id  # every consent-relevant event is in a child's stream
            await self._record_facts(conn, child_id, facts, recorded.envelope.occurred_at)

    async def _apply(self, conn: Any, event: DomainEvent) -> None:
        match event:
            case e.PartnershipOpened():
                await conn.execute(
                    f"INSERT INTO {S}.partnerships VALUES ($1, $2, $3, 'negotiating', 0, $4)",
                    event.partnership_id, event.municipality_code, event.county_code, event.opened_on,
                )
            case e.PartnershipAgreementSigned():
                await conn.execute(
                    f"UPDATE {S}.partnerships SET status = 'agreed', team_count = $2 WHERE partnership_id = $1",
                    event.partnership_id, event.team_count,
                )
            case e.PartnershipNegotiationFailed() | e.PartnershipEnded():
                status = "ended" if isinstance(event, e.PartnershipEnded) else "negotiation_failed"
                await conn.execute(
                    f"UPDATE {S}.partnerships SET status = $2 WHERE partnership_id = $1", event.partnership_id, status
                )
            case e.PartnershipCountyCounterpartChanged():
                await conn.execute(
                    f"UPDATE {S}.partnerships SET county_code = $2 WHERE partnership_id = $1",
                    event.partnership_id, event.county_code,
                )
            case e.TeamFounded():
                await conn.execute(
                    f"INSERT INTO {S}.teams (team_id, partnership_id, name, municipality_code, county_code, area,"
                    " main_school, status, max_size, founded_on, cohort_birth_years)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, 'forming', $8, $9, $10)",
                    event.team_id, event.partnership_id, event.name, event.municipality_code, event.county_code,
                    event.area, event.main_school.name, event.max_size, event.founded_on,
                    list(event.cohort_birth_years),
                )
            case e.TeamActivated():
                await self._team(conn, event.team_id, status="active", activated_on=event.activated_on)
            case e.SportChosen():
                await self._team(conn, event.team_id, sport=event.sport)
            case e.TeamSchoolsChanged():
                await self._team(conn, event.team_id, main_school=event.main_school.name)
            case e.TeamMaxSizeChanged():
                await self._team(conn, event.team_id, max_size=event.max_size)
            case e.TeamCompleted():
                await self._team(conn, event.team_id, status="completed")
            case e.TeamTerminated():
                await self._team(conn, event.team_id, status="terminated")
            case e.MentorAssigned():
                await conn.execute(
                    f"INSERT INTO {S}.team_mentors (team_id, mentor_id, role, started_on, predecessor_id)"
                    " VALUES ($1, $2, $3, $4, $5)",
                    event.team_id, event.mentor_id, event.role.value, event.starts_on, event.predecessor_id,
                )
            case e.MentorLeft():
                await conn.execute(
                    f"UPDATE {S}.team_mentors SET ended_on = $3, end_reason = $4, successor_id = $5"
                    " WHERE team_id = $1 AND mentor_id = $2 AND ended_on IS NULL",
                    event.team_id, event.mentor_id, event.left_on, event.reason.value, event.successor_id,
                )
            case e.ChildNominated():
                born = parse_iso_date(event.date_of_birth)
                await conn.execute(
                    f"""INSERT INTO {S}.children (child_id, municipality_code, status, considered_team_id,
                                                  given_names, family_name, birth_year, nominated_on)
                        VALUES ($1, $2, 'nominated', $3, $4, $5, $6, $7)
                        ON CONFLICT (child_id) DO UPDATE SET status = 'nominated',
                            municipality_code = excluded.municipality_code,
                            considered_team_id = excluded.considered_team_id,
                            nominated_on = excluded.nominated_on, decided_on = NULL,
                            ended_on = NULL, exit_reason = NULL, completion_outcome = NULL""",
                    event.child_id, event.municipality_code, event.team_id, event.given_names, event.family_name,
                    born.year if born else None, event.nominated_on,
                )
            case e.GuardiansInformed():
                await self._child(conn, event.child_id, status="offered", guardians_informed_on=event.informed_on)
                await self._guardians(conn, event.child_id, event.guardians)
            case e.GuardiansChanged():
                await self._guardians(conn, event.child_id, event.guardians)
            case e.ChildSelected() | e.ChildWaitlisted():
                status = "selected" if isinstance(event, e.ChildSelected) else "waitlisted"
                await self._child(
                    conn, event.child_id, status=status, considered_team_id=event.team_id, decided_on=event.decided_on
                )
            case e.ChildNotSelected():
                await self._child(
                    conn, event.child_id, status="not_selected", considered_team_id=None, decided_on=event.decided_on
                )
            case e.ChildEnrolled():
                born = parse_iso_date(event.date_of_birth)
                await self._child(
                    conn, event.child_id, status="active", team_id=event.team_id, considered_team_id=None,
                    given_names=event.given_names, family_name=event.family_name,
                    birth_year=born.year if born else None, hetu_masked=mask_hetu(event.hetu),
                    school_name=event.school.name, class_name=event.class_name, enrolled_on=event.enrolled_on,
                )
                await self._guardians(conn, event.child_id, event.guardians)
            case e.ChildTransferred():
                await self._child(conn, event.child_id, team_id=event.to_team_id)
            case e.ChildExited():
                await self._child(
                    conn, event.child_id, status="exited", ended_on=event.exited_on, exit_reason=event.reason.value
                )
            case e.ChildCompletedProgramme():
                await self._child(
                    conn, event.child_id, status="completed", ended_on=event.completed_on,
                    completion_outcome=event.outcome.value,
                )
            case _:
                pass  # the remaining events change nothing these tables show

    async def _team(self, conn: Any, team_id: str, **values: Any) -> None:
        await _update(conn, "teams", "team_id", team_id, values)

    async def _child(self, conn: Any, child_id: str, **values: Any) -> None:
        await _update(conn, "children", "child_id", child_id, values)

    async def _guardians(self, conn: Any, child_id: str, guardians: tuple[Guardian, ...]) -> None:
        await conn.execute(f"DELETE FROM {S}.guardians WHERE child_id = $1", child_id)
        await conn.executemany(
            f"INSERT INTO {S}.guardians VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (child_id, g.guardian_id, index, g.given_names, g.family_name, g.phone, g.email)
                for index, g in enumerate(guardians)
            ],
        )

    async def _record_facts(
        self, conn: Any, child_id: str, facts: list[consent.ConsentFact], occurred_at: datetime
    ) -> None:
        seq = await conn.fetchval(
            f"SELECT coalesce(max(seq), 0) FROM {S}.consent_facts WHERE child_id = $1", child_id
        )
        await conn.executemany(
            f"INSERT INTO {S}.consent_facts VALUES ($1, $2, $3::jsonb)",
            [(child_id, seq + n, fact_to_json(fact)) for n, fact in enumerate(facts, start=1)],
        )
        view = await consent_view_of(conn, child_id)
        # Judged at the moment of the event, so a rebuild gives the same answer; the API answers
        # `may_disclose` live from the facts, at the time of the question.
        at = max((fact.at for fact in facts), default=occurred_at)
        rows = []
        for purpose in consent.Purpose:
            decision = consent.consent_in_force(view, child_id, purpose, at)
            rows.append((child_id, purpose.value, decision.allowed, decision.consent_id, decision.reason, at))
        await conn.executemany(
            f"""INSERT INTO {S}.consent_status VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (child_id, purpose) DO UPDATE SET in_force = excluded.in_force,
                    consent_id = excluded.consent_id, reason = excluded.reason,
                    evaluated_at = excluded.evaluated_at""",
            rows,
        )


async def _update(conn: Any, table: str, key: str, key_value: str, values: dict[str, Any]) -> None:
    columns = list(values)
    assignments = ", ".join(f"{column} = ${index}" for index, column in enumerate(columns, start=2))
    await conn.execute(
        f"UPDATE {S}.{table} SET {assignments} WHERE {key} = $1", key_value, *(values[c] for c in columns)
    )
