"""The projection: one enrollment event in, the read-model rows it changes out.

The projection framework calls `apply` inside its transaction (rows, checkpoint and duplicate guard
commit together) with the physical tables of the generation it is filling, and `purge_subject` when a
child or guardian is erased.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar

import rinnalla_consent as consent
from rinnalla_events import DomainEvent, Projection, RecordedEvent, Tables
from rinnalla_refdata import mask_hetu

from rinnalla_enrollment.domain import events as e
from rinnalla_enrollment.domain.consent_facts import consent_facts
from rinnalla_enrollment.domain.values import Guardian, parse_iso_date
from rinnalla_enrollment.projections.tables import PROJECTION_NAME, READ_SCHEMA, TABLES, table_ddl

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
        consent.CustodyExceptionRecorded,
    )
}


def fact_to_json(fact: consent.ConsentFact) -> str:
    data: dict[str, Any] = fact.model_dump(mode="json")
    for name in ("guardian_ids", "purposes"):
        if name in data:
            data[name] = sorted(data[name])  # a frozenset: keep rebuilds byte-identical
    return json.dumps({"type": type(fact).__name__, "data": data}, sort_keys=True)


def fact_from_json(text: str) -> consent.ConsentFact:
    raw = json.loads(text)
    return _FACT_TYPES[raw["type"]].model_validate(raw["data"])


async def consent_view_of(
    conn: Any, child_id: str, table: str = f"{READ_SCHEMA}.consent_facts"
) -> consent.ConsentView:
    """The child's consent register, folded from the facts in `table` (the stable view by default)."""
    rows = await conn.fetch(f"SELECT fact::text AS fact FROM {table} WHERE child_id = $1 ORDER BY seq", child_id)
    return consent.fold(fact_from_json(row["fact"]) for row in rows)


async def consent_views_of(conn: Any, child_ids: list[str]) -> dict[str, consent.ConsentView]:
    """The consent registers of several children (stable views), by child id."""
    rows = await conn.fetch(
        f"SELECT child_id, fact::text AS fact FROM {READ_SCHEMA}.consent_facts WHERE child_id = ANY($1::text[])"
        " ORDER BY child_id, seq",
        child_ids,
    )
    facts: dict[str, list[consent.ConsentFact]] = {}
    for row in rows:
        facts.setdefault(row["child_id"], []).append(fact_from_json(row["fact"]))
    return {child_id: consent.fold(history) for child_id, history in facts.items()}


class EnrollmentReadModel(Projection):
    """Partnerships, teams, mentors, children, guardians and the consent register, from the enrollment
    stream. Bump `version` when a table or the meaning of `apply` changes: the runner then rebuilds it
    blue/green. A new version may add columns at the end of a table; dropping or renaming a column the
    `v_*` views use needs a migration that drops those views first."""

    name: ClassVar[str] = PROJECTION_NAME
    # 2: the nominating preschool of each child; 3: the child's date of birth (access ends at 18); 4: names
    # from the guardians' information, school changes, permanent identity codes, the follow-up status; 5: joint
    # custody and custody exceptions, and until when each consent status holds (`changes_at`)
    version: ClassVar[int] = 5
    sources: ClassVar[tuple[str, ...]] = ("enrollment",)
    tables: ClassVar[tuple[str, ...]] = TABLES

    def ddl(self, tables: Tables) -> list[str]:
        return table_ddl(tables)

    async def purge_subject(self, conn: Any, tables: Tables, subject_id: str) -> None:
        """A child: their row, guardians and consent register go. A guardian: their contact rows go (the
        child's consent register keeps only the guardian's id, which names no one once the key is gone)."""
        for table in ("children", "guardians", "consent_facts", "consent_status"):
            await conn.execute(f"DELETE FROM {tables[table]} WHERE child_id = $1", subject_id)
        await conn.execute(f"DELETE FROM {tables['guardians']} WHERE guardian_id = $1", subject_id)

    async def apply(self, conn: Any, tables: Tables, recorded: RecordedEvent) -> None:
        await _Apply(conn, tables).event(recorded)


class _Apply:
    """One event's changes to one generation's tables."""

    def __init__(self, conn: Any, tables: Tables) -> None:
        self.conn = conn
        self.t = tables

    async def event(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        await self._apply(event)
        facts = consent_facts(event)
        if facts:
            child_id = recorded.envelope.stream_id  # every consent-relevant event is in a child's stream
            await self._record_facts(child_id, facts, recorded.envelope.occurred_at)

    async def _apply(self, event: DomainEvent) -> None:
        conn, t = self.conn, self.t
        match event:
            case e.PartnershipOpened():
                await conn.execute(
                    f"INSERT INTO {t['partnerships']} VALUES ($1, $2, $3, 'negotiating', 0, $4)",
                    event.partnership_id, event.municipality_code, event.county_code, event.opened_on,
                )
            case e.PartnershipAgreementSigned():
                await conn.execute(
                    f"UPDATE {t['partnerships']} SET status = 'agreed', team_count = $2 WHERE partnership_id = $1",
                    event.partnership_id, event.team_count,
                )
            case e.PartnershipNegotiationFailed() | e.PartnershipEnded():
                status = "ended" if isinstance(event, e.PartnershipEnded) else "negotiation_failed"
                await conn.execute(
                    f"UPDATE {t['partnerships']} SET status = $2 WHERE partnership_id = $1",
                    event.partnership_id, status,
                )
            case e.PartnershipCountyCounterpartChanged():
                await conn.execute(
                    f"UPDATE {t['partnerships']} SET county_code = $2 WHERE partnership_id = $1",
                    event.partnership_id, event.county_code,
                )
            case e.TeamFounded():
                await conn.execute(
                    f"INSERT INTO {t['teams']} (team_id, partnership_id, name, municipality_code, county_code, area,"
                    " main_school, status, max_size, founded_on, cohort_birth_years)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, 'forming', $8, $9, $10)",
                    event.team_id, event.partnership_id, event.name, event.municipality_code, event.county_code,
                    event.area, event.main_school.name, event.max_size, event.founded_on,
                    list(event.cohort_birth_years),
                )
            case e.TeamActivated():
                await self._team(event.team_id, status="active", activated_on=event.activated_on)
            case e.SportChosen():
                await self._team(event.team_id, sport=event.sport)
            case e.TeamSchoolsChanged():
                await self._team(event.team_id, main_school=event.main_school.name)
            case e.TeamMaxSizeChanged():
                await self._team(event.team_id, max_size=event.max_size)
            case e.TeamCompleted():
                await self._team(event.team_id, status="completed")
            case e.TeamTerminated():
                await self._team(event.team_id, status="terminated")
            case e.MentorAssigned():
                await conn.execute(
                    f"INSERT INTO {t['team_mentors']} (team_id, mentor_id, role, started_on, predecessor_id)"
                    " VALUES ($1, $2, $3, $4, $5)",
                    event.team_id, event.mentor_id, event.role.value, event.starts_on, event.predecessor_id,
                )
            case e.MentorLeft():
                await conn.execute(
                    f"UPDATE {t['team_mentors']} SET ended_on = $3, end_reason = $4, successor_id = $5"
                    " WHERE team_id = $1 AND mentor_id = $2 AND ended_on IS NULL",
                    event.team_id, event.mentor_id, event.left_on, event.reason.value, event.successor_id,
                )
            case e.ChildNominated():
                born = parse_iso_date(event.date_of_birth)
                birth_year = born.year if born else event.cohort_year
                await conn.execute(
                    f"""INSERT INTO {t['children']} (child_id, municipality_code, status, considered_team_id,
                                                  given_names, family_name, birth_year, nominated_on,
                                                  preschool, preschool_code, born_on)
                        VALUES ($1, $2, 'nominated', $3, $4, $5, $6, $7, $8, $9, $10)
                        ON CONFLICT (child_id) DO UPDATE SET status = 'nominated',
                            municipality_code = excluded.municipality_code,
                            considered_team_id = excluded.considered_team_id,
                            preschool = excluded.preschool, preschool_code = excluded.preschool_code,
                            nominated_on = excluded.nominated_on, born_on = excluded.born_on, decided_on = NULL,
                            ended_on = NULL, exit_reason = NULL, completion_outcome = NULL""",
                    event.child_id, event.municipality_code, event.team_id, event.given_names, event.family_name,
                    birth_year, event.nominated_on, event.preschool.name, event.preschool.code,
                    born,
                )
            case e.GuardiansInformed():
                await self._child(event.child_id, status="offered", guardians_informed_on=event.informed_on)
                informed_born = parse_iso_date(event.date_of_birth)
                if event.given_names and informed_born is not None:  # recorded since nominations were minimised
                    await self._child(
                        event.child_id, given_names=event.given_names, family_name=event.family_name,
                        birth_year=informed_born.year, born_on=informed_born,
                    )
                await self._guardians(event.child_id, event.guardians)
            case e.GuardiansChanged():
                await self._guardians(event.child_id, event.guardians)
            case e.ChildSelected() | e.ChildWaitlisted():
                status = "selected" if isinstance(event, e.ChildSelected) else "waitlisted"
                await self._child(
                    event.child_id, status=status, considered_team_id=event.team_id, decided_on=event.decided_on
                )
            case e.ChildNotSelected():
                await self._child(
                    event.child_id, status="not_selected", considered_team_id=None, decided_on=event.decided_on
                )
            case e.ChildEnrolled():
                born = parse_iso_date(event.date_of_birth)
                await self._child(
                    event.child_id, status="active", team_id=event.team_id, considered_team_id=None,
                    given_names=event.given_names, family_name=event.family_name,
                    birth_year=born.year if born else None, born_on=born,
                    hetu_masked=mask_hetu(event.hetu) if event.hetu else None,
                    school_name=event.school.name, class_name=event.class_name, enrolled_on=event.enrolled_on,
                )
                await self._guardians(event.child_id, event.guardians)
            case e.ChildPermanentIdentityCodeRecorded():
                born = parse_iso_date(event.date_of_birth)
                await self._child(
                    event.child_id, hetu_masked=mask_hetu(event.hetu), birth_year=born.year if born else None,
                    born_on=born,
                )
            case e.ChildSchoolChanged():
                await self._child(event.child_id, school_name=event.school.name, class_name=event.class_name)
            case e.ChildFollowUpStarted():
                await self._child(event.child_id, status="follow_up")
            case e.ChildTransferred():
                await self._child(event.child_id, team_id=event.to_team_id)
            case e.ChildExited():
                await self._child(
                    event.child_id, status="exited", ended_on=event.exited_on, exit_reason=event.reason.value
                )
            case e.ChildCompletedProgramme():
                await self._child(
                    event.child_id, status="completed", ended_on=event.completed_on,
                    completion_outcome=event.outcome.value,
                )
            case _:
                pass  # the remaining events change nothing these tables show

    async def _team(self, team_id: str, **values: Any) -> None:
        await _update(self.conn, self.t["teams"], "team_id", team_id, values)

    async def _child(self, child_id: str, **values: Any) -> None:
        await _update(self.conn, self.t["children"], "child_id", child_id, values)

    async def _guardians(self, child_id: str, guardians: tuple[Guardian, ...]) -> None:
        conn, t = self.conn, self.t
        await conn.execute(f"DELETE FROM {t['guardians']} WHERE child_id = $1", child_id)
        await conn.executemany(
            f"INSERT INTO {t['guardians']} VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (child_id, g.guardian_id, index, g.given_names, g.family_name, g.phone, g.email)
                for index, g in enumerate(guardians)
            ],
        )

    async def _record_facts(self, child_id: str, facts: list[consent.ConsentFact], occurred_at: datetime) -> None:
        conn, t = self.conn, self.t
        seq = await conn.fetchval(
            f"SELECT coalesce(max(seq), 0) FROM {t['consent_facts']} WHERE child_id = $1", child_id
        )
        await conn.executemany(
            f"INSERT INTO {t['consent_facts']} VALUES ($1, $2, $3::jsonb)",
            [(child_id, seq + n, fact_to_json(fact)) for n, fact in enumerate(facts, start=1)],
        )
        view = await consent_view_of(conn, child_id, self.t["consent_facts"])
        # Judged at the moment of the event, so a rebuild gives the same answer; the API answers
        # `may_disclose` live from the facts, at the time of the question.
        at = max((fact.at for fact in facts), default=occurred_at)
        # A status holds until time alone may change it (an expiry, the 18th birthday): the dashboard views
        # count a status as in force only before `changes_at`, so they never show a lapsed consent.
        record = view.subject(child_id)
        changes_at = record.next_change_after(at) if record is not None else None
        rows = []
        for purpose in consent.Purpose:
            decision = consent.consent_in_force(view, child_id, purpose, at)
            rows.append(
                (child_id, purpose.value, decision.allowed, decision.consent_id, decision.reason, at, changes_at)
            )
        await conn.executemany(
            f"""INSERT INTO {t['consent_status']} VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (child_id, purpose) DO UPDATE SET in_force = excluded.in_force,
                    consent_id = excluded.consent_id, reason = excluded.reason,
                    evaluated_at = excluded.evaluated_at, changes_at = excluded.changes_at""",
            rows,
        )


async def _update(conn: Any, table: str, key: str, key_value: str, values: dict[str, Any]) -> None:
    columns = list(values)
    assignments = ", ".join(f"{column} = ${index}" for index, column in enumerate(columns, start=2))
    await conn.execute(
        f"UPDATE {table} SET {assignments} WHERE {key} = $1", key_value, *(values[c] for c in columns)
    )
