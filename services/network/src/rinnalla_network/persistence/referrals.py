"""Reads over the network's read models (stable views in the read schema)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rinnalla_events import ConnectionSource

from rinnalla_network.domain.values import OPEN_STATUSES

OPEN = sorted(status.value for status in OPEN_STATUSES)

REFERRAL_COLUMNS = (
    "referral_id, child_id, team_id, municipality_code, county_code, sender_id, organisation_id, organisation_kind,"
    " channel, service_type, reason_codes, urgency, status, consent_ids, legal_basis, basis, fields_sent, sent_at,"
    " received_at, decided_at, closed_at, acknowledge_by, decide_by, outcome_by, decline_reason, outcome,"
    " outcome_by_sender, rerouted_from, rerouted_to, reminders, escalations, sharing_stopped"
)


def next_due(row: dict[str, Any]) -> date | None:
    """The deadline the referral is waiting for now."""
    status = row["status"]
    if status == "sent":
        return row["acknowledge_by"]  # type: ignore[no-any-return]
    if status == "received":
        return row["decide_by"]  # type: ignore[no-any-return]
    if status in ("accepted", "in_progress"):
        return row["outcome_by"]  # type: ignore[no-any-return]
    return None


class ReferralReads:
    def __init__(self, connections: ConnectionSource, read_schema: str) -> None:
        self.connections = connections
        self.schema = read_schema

    async def overdue_count(self, today: date) -> int:
        """Open referrals past the deadline they are waiting for (acknowledgement, decision or outcome), as
        `next_due` reads it: a count over every organisation, with no child in it."""
        async with self.connections.acquire() as conn:
            value = await conn.fetchval(
                f"""SELECT count(*) FROM {self.schema}.referrals
                     WHERE CASE status WHEN 'sent' THEN acknowledge_by WHEN 'received' THEN decide_by
                                       WHEN 'accepted' THEN outcome_by WHEN 'in_progress' THEN outcome_by END < $1""",
                today,
            )
        return int(value or 0)

    async def open_referral_ids(self) -> list[str]:
        async with self.connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT referral_id FROM {self.schema}.referrals WHERE status = ANY($1) ORDER BY sent_at", OPEN
            )
        return [row["referral_id"] for row in rows]

    async def _fetch(self, where: str, *args: Any) -> list[dict[str, Any]]:
        async with self.connections.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {REFERRAL_COLUMNS} FROM {self.schema}.referrals WHERE {where} ORDER BY sent_at, referral_id",
                *args,
            )
        return [dict(row) for row in rows]

    async def of_organisation(self, organisation_id: str) -> list[dict[str, Any]]:
        return await self._fetch("organisation_id = $1", organisation_id)

    async def of_children(self, child_ids: list[str]) -> list[dict[str, Any]]:
        return await self._fetch("child_id = ANY($1)", child_ids)

    async def of_teams(self, team_ids: list[str]) -> list[dict[str, Any]]:
        return await self._fetch("team_id = ANY($1)", team_ids)

    async def of_municipalities(self, codes: list[str]) -> list[dict[str, Any]]:
        return await self._fetch("municipality_code = ANY($1)", codes)

    async def one(self, referral_id: str) -> dict[str, Any] | None:
        rows = await self._fetch("referral_id = $1", referral_id)
        return rows[0] if rows else None

    async def partners(self, municipality_code: str | None, service_type: str | None) -> list[dict[str, Any]]:
        async with self.connections.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT p.organisation_id, p.name, p.kind, p.business_id, p.service_types, p.channel,
                        p.channel_address, p.paused, p.paused_reason,
                        array_agg(a.municipality_code ORDER BY a.municipality_code) AS municipality_codes,
                        array_agg(DISTINCT a.county_code) AS county_codes
                    FROM {self.schema}.partners p JOIN {self.schema}.partner_areas a USING (organisation_id)
                    GROUP BY p.organisation_id, p.name, p.kind, p.business_id, p.service_types, p.channel,
                             p.channel_address, p.paused, p.paused_reason
                    HAVING ($1::text IS NULL OR $1 = ANY(array_agg(a.municipality_code)))
                       AND ($2::text IS NULL OR $2 = ANY(p.service_types))
                    ORDER BY p.name""",
                municipality_code, service_type,
            )
        return [dict(row) for row in rows]

    async def family_partnerships(
        self, *, worker_id: str | None, municipality_codes: list[str]
    ) -> list[dict[str, Any]]:
        """A worker's own family partnerships, or (worker None) those of the municipalities."""
        async with self.connections.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT partnership_id, organisation_id, worker_id, municipality_code, route, phase, referred_on,
                        assessed_on, plan_agreed_on, goals, review_by, meetings, closed_on
                    FROM {self.schema}.family_partnerships
                    WHERE ($1::text IS NOT NULL AND worker_id = $1)
                       OR ($1::text IS NULL AND municipality_code = ANY($2))
                    ORDER BY referred_on, partnership_id""",
                worker_id, municipality_codes,
            )
        return [dict(row) for row in rows]
