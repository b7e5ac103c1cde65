"""`Roster` over the roster projection's stable views (the case log's copy of enrollment's facts)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rinnalla_events import ConnectionSource

from rinnalla_caselog.config import READ_SCHEMA
from rinnalla_caselog.domain.roster import ChildFacts, Membership, MentorTerm, Period, TeamFacts


class PostgresRoster:
    def __init__(self, connections: ConnectionSource, read_schema: str = READ_SCHEMA) -> None:
        self._connections = connections
        self._s = read_schema

    async def children(self, child_ids: Iterable[str]) -> Mapping[str, ChildFacts]:
        ids = sorted(set(child_ids))
        async with self._connections.acquire() as conn:
            children = await conn.fetch(
                f"SELECT child_id, born_on, ended_on, ended_because FROM {self._s}.children"
                " WHERE child_id = ANY($1::text[])",
                ids,
            )
            memberships = await conn.fetch(
                f"SELECT child_id, team_id, joined_on, left_on FROM {self._s}.memberships"
                " WHERE child_id = ANY($1::text[]) ORDER BY child_id, joined_on",
                ids,
            )
        return facts_of_children(children, memberships)

    async def teams(self, team_ids: Iterable[str]) -> Mapping[str, TeamFacts]:
        ids = sorted(set(team_ids))
        async with self._connections.acquire() as conn:
            teams = await conn.fetch(
                f"SELECT team_id, name, municipality_code, county_code FROM {self._s}.teams"
                " WHERE team_id = ANY($1::text[])",
                ids,
            )
            terms = await conn.fetch(
                f"SELECT team_id, mentor_id, role, starts_on, left_on FROM {self._s}.mentor_terms"
                " WHERE team_id = ANY($1::text[]) ORDER BY team_id, starts_on",
                ids,
            )
        return facts_of_teams(teams, terms)


def facts_of_children(children: Iterable[Any], memberships: Iterable[Any]) -> dict[str, ChildFacts]:
    """A child is known once enrolled or once in a team (a team membership may arrive first)."""
    found: dict[str, ChildFacts] = {
        row["child_id"]: ChildFacts(
            row["child_id"], born_on=row["born_on"], ended_on=row["ended_on"], ended_because=row["ended_because"]
        )
        for row in children
    }
    by_child: dict[str, list[Membership]] = {}
    for row in memberships:
        by_child.setdefault(row["child_id"], []).append(
            Membership(row["team_id"], Period(row["joined_on"], row["left_on"]))
        )
    for child_id, held in by_child.items():
        base = found.get(child_id, ChildFacts(child_id))
        found[child_id] = ChildFacts(
            child_id, born_on=base.born_on, memberships=tuple(held), ended_on=base.ended_on,
            ended_because=base.ended_because,
        )
    return found


def facts_of_teams(teams: Iterable[Any], terms: Iterable[Any]) -> dict[str, TeamFacts]:
    by_team: dict[str, list[MentorTerm]] = {}
    for row in terms:
        by_team.setdefault(row["team_id"], []).append(
            MentorTerm(row["mentor_id"], row["role"], Period(row["starts_on"], row["left_on"]))
        )
    return {
        row["team_id"]: TeamFacts(
            row["team_id"], row["municipality_code"], row["county_code"], row["name"],
            tuple(by_team.get(row["team_id"], ())),
        )
        for row in teams
    }
