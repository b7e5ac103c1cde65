"""The network's own read models: the partner directory and the referrals with their status, deadlines,
reminders, escalations and what was disclosed (the fields, never the packet's content).

Personal data stays out: a referral row names the child by id; the packet is read from the event store
(decrypted) only by the recipient's own inbox route, while the consent still allows it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rinnalla_events import DomainEvent, PgConnection, Projection, RecordedEvent, Tables
from rinnalla_refdata import county_of

from rinnalla_network.config import ENROLLMENT, SERVICE_NAME
from rinnalla_network.domain import events as e
from rinnalla_network.domain import family_partnership as fp
from rinnalla_network.domain.values import ReferralStatus


class ReferralViews(Projection):
    name = "referral_views"
    version = 1
    # enrollment's stream too, for its `rinnalla.SubjectErased` alone: an erased child's rows go here as well
    sources = (SERVICE_NAME, ENROLLMENT)
    tables = ("partners", "partner_areas", "referrals", "family_partnerships")
    event_types = frozenset(kind.event_type for kind in e.ALL_EVENTS)

    def ddl(self, t: Tables) -> Sequence[str]:
        return [
            f"""CREATE TABLE {t['partners']} (
                organisation_id text PRIMARY KEY,
                name text NOT NULL,
                kind text NOT NULL,
                business_id text NOT NULL,
                service_types text[] NOT NULL,
                channel text NOT NULL,
                channel_address text NOT NULL,
                paused boolean NOT NULL DEFAULT false,
                paused_reason text
            )""",
            f"""CREATE TABLE {t['partner_areas']} (
                organisation_id text NOT NULL,
                municipality_code text NOT NULL,
                county_code text NOT NULL,
                PRIMARY KEY (organisation_id, municipality_code)
            )""",
            f"""CREATE TABLE {t['referrals']} (
                referral_id text PRIMARY KEY,
                child_id text NOT NULL,
                team_id text NOT NULL,
                municipality_code text NOT NULL,
                county_code text NOT NULL,
                sender_id text NOT NULL,
                organisation_id text NOT NULL,
                organisation_kind text NOT NULL,
                channel text NOT NULL,
                service_type text NOT NULL,
                reason_codes text[] NOT NULL,
                urgency text NOT NULL,
                status text NOT NULL,
                consent_ids text[] NOT NULL,
                legal_basis text,
                basis text NOT NULL,
                fields_sent text[] NOT NULL,
                sent_at timestamptz NOT NULL,
                received_at timestamptz,
                decided_at timestamptz,
                closed_at timestamptz,
                acknowledge_by date NOT NULL,
                decide_by date NOT NULL,
                outcome_by date NOT NULL,
                decline_reason text,
                outcome text,
                outcome_by_sender boolean NOT NULL DEFAULT false,
                rerouted_from text,
                rerouted_to text,
                reminders text[] NOT NULL DEFAULT '{{}}',
                escalations text[] NOT NULL DEFAULT '{{}}',
                sharing_stopped boolean NOT NULL DEFAULT false
            )""",
            f"""CREATE TABLE {t['family_partnerships']} (
                partnership_id text PRIMARY KEY,
                organisation_id text NOT NULL,
                worker_id text NOT NULL,
                municipality_code text NOT NULL,
                route text NOT NULL,
                child_ids text[] NOT NULL,
                phase text NOT NULL,
                referred_on date NOT NULL,
                assessed_on date,
                plan_agreed_on date,
                goals text[] NOT NULL DEFAULT '{{}}',
                review_by date,
                meetings integer NOT NULL DEFAULT 0,
                closed_on date,
                early_closure_reason text
            )""",
            f"CREATE INDEX {t.index('referrals_org')} ON {t['referrals']} (organisation_id, status)",
            f"CREATE INDEX {t.index('referrals_child')} ON {t['referrals']} (child_id)",
        ]

    async def apply(self, conn: PgConnection, t: Tables, recorded: RecordedEvent) -> None:
        event = recorded.event
        referrals = t["referrals"]
        match event:
            case e.PartnerRegistered():
                await conn.execute(
                    f"""INSERT INTO {t['partners']} (organisation_id, name, kind, business_id, service_types, channel,
                        channel_address) VALUES ($1, $2, $3, $4, $5, $6, $7)
                    ON CONFLICT (organisation_id) DO NOTHING""",
                    event.organisation_id, event.name, event.kind.value, event.business_id,
                    [s.value for s in event.service_types], event.channel.value, event.channel_address,
                )
                await self._areas(conn, t, event.organisation_id, event.municipality_codes)
            case e.PartnerServicesChanged():
                await conn.execute(
                    f"UPDATE {t['partners']} SET service_types = $2 WHERE organisation_id = $1",
                    event.organisation_id, [s.value for s in event.service_types],
                )
                await self._areas(conn, t, event.organisation_id, event.municipality_codes)
            case e.PartnerChannelChanged():
                await conn.execute(
                    f"UPDATE {t['partners']} SET channel = $2, channel_address = $3 WHERE organisation_id = $1",
                    event.organisation_id, event.channel.value, event.channel_address,
                )
            case e.PartnerInboundPaused():
                await conn.execute(
                    f"UPDATE {t['partners']} SET paused = true, paused_reason = $2 WHERE organisation_id = $1",
                    event.organisation_id, event.reason,
                )
            case e.PartnerInboundResumed():
                await conn.execute(
                    f"UPDATE {t['partners']} SET paused = false, paused_reason = NULL WHERE organisation_id = $1",
                    event.organisation_id,
                )
            case e.ReferralSent():
                await conn.execute(
                    f"""INSERT INTO {referrals} (referral_id, child_id, team_id, municipality_code, county_code,
                        sender_id, organisation_id, organisation_kind, channel, service_type, reason_codes, urgency,
                        status, consent_ids, legal_basis, basis, fields_sent, sent_at, acknowledge_by, decide_by,
                        outcome_by, rerouted_from)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'sent', $13, $14, $15, $16, $17, $18,
                        $19, $20, $21)
                    ON CONFLICT (referral_id) DO NOTHING""",
                    event.referral_id, event.child_id, event.team_id, event.municipality_code, event.county_code,
                    event.sender_id, event.organisation_id, event.organisation_kind.value, event.channel.value,
                    event.service_type.value, [r.value for r in event.reason_codes], event.urgency.value,
                    list(event.consent_ids), event.legal_basis.value if event.legal_basis else None, event.basis,
                    [f.value for f in event.fields_sent], event.at, event.acknowledge_by, event.decide_by,
                    event.outcome_by, event.rerouted_from,
                )
            case e.ReferralReceived():
                await self._status(conn, referrals, event.referral_id, ReferralStatus.RECEIVED, "received_at", event)
            case e.ReferralAccepted():
                await self._status(conn, referrals, event.referral_id, ReferralStatus.ACCEPTED, "decided_at", event)
            case e.ReferralDeclined():
                await self._status(conn, referrals, event.referral_id, ReferralStatus.DECLINED, "decided_at", event)
                await conn.execute(f"UPDATE {referrals} SET decline_reason = $2 WHERE referral_id = $1",
                                   event.referral_id, event.reason.value)
            case e.ReferralStarted():
                await conn.execute(f"UPDATE {referrals} SET status = 'in_progress' WHERE referral_id = $1",
                                   event.referral_id)
            case e.ReferralOutcomeRecorded():
                await self._status(conn, referrals, event.referral_id, ReferralStatus.COMPLETED, "closed_at", event)
                await conn.execute(
                    f"UPDATE {referrals} SET outcome = $2, outcome_by_sender = $3 WHERE referral_id = $1",
                    event.referral_id, event.outcome.value, event.recorded_by_sender,
                )
            case e.ReferralWithdrawn():
                await self._status(conn, referrals, event.referral_id, ReferralStatus.WITHDRAWN, "closed_at", event)
            case e.ReferralExpired():
                await self._status(conn, referrals, event.referral_id, ReferralStatus.EXPIRED, "closed_at", event)
            case e.ReferralRerouted():
                await self._status(conn, referrals, event.referral_id, ReferralStatus.REROUTED, "closed_at", event)
                await conn.execute(f"UPDATE {referrals} SET rerouted_to = $2 WHERE referral_id = $1",
                                   event.referral_id, event.to_referral_id)
            case e.ReferralReminderDue():
                await conn.execute(
                    f"UPDATE {referrals} SET reminders = array_append(reminders, $2) WHERE referral_id = $1"
                    " AND NOT ($2 = ANY(reminders))", event.referral_id, event.stage,
                )
            case e.ReferralEscalated():
                await conn.execute(
                    f"UPDATE {referrals} SET escalations = array_append(escalations, $2) WHERE referral_id = $1"
                    " AND NOT ($2 = ANY(escalations))", event.referral_id, event.stage,
                )
            case e.ReferralSharingStopped():
                await conn.execute(f"UPDATE {referrals} SET sharing_stopped = true WHERE referral_id = $1",
                                   event.referral_id)
            case fp.FamilyReferred():
                await conn.execute(
                    f"""INSERT INTO {t['family_partnerships']} (partnership_id, organisation_id, worker_id,
                        municipality_code, route, child_ids, phase, referred_on)
                    VALUES ($1, $2, $3, $4, $5, $6, 'referred', $7) ON CONFLICT (partnership_id) DO NOTHING""",
                    event.partnership_id, event.organisation_id, event.worker_id, event.municipality_code,
                    event.route.value, list(event.child_ids), event.referred_on,
                )
            case fp.InitialAssessmentCompleted():
                await self._family(conn, t, event.partnership_id, "phase = 'assessed', assessed_on = $2",
                                   event.assessed_on)
            case fp.SupportPlanAgreed():
                await self._family(conn, t, event.partnership_id,
                                   "phase = 'intensive', plan_agreed_on = $2, goals = $3, review_by = $4",
                                   event.agreed_on, [g.value for g in event.goals], event.review_by)
            case fp.SupportPlanReviewed():
                await self._family(conn, t, event.partnership_id, "goals = $2, review_by = $3",
                                   [g.value for g in event.goals], event.next_review_by)
            case fp.FamilyMeetingRecorded():
                await self._family(conn, t, event.partnership_id, "meetings = meetings + 1")
            case fp.IntensityReduced():
                await self._family(conn, t, event.partnership_id, "phase = 'tapering'")
            case fp.ControlledClosureCompleted():
                await self._family(conn, t, event.partnership_id, "phase = 'closed', closed_on = $2", event.closed_on)
            case fp.FamilyWithdrew():
                await self._family(conn, t, event.partnership_id,
                                   "phase = 'closed_early', closed_on = $2, early_closure_reason = $3",
                                   event.closed_on, event.reason.value)
            case _:
                pass

    @staticmethod
    async def _family(conn: PgConnection, t: Tables, partnership_id: str, assignments: str, *values: object) -> None:
        await conn.execute(
            f"UPDATE {t['family_partnerships']} SET {assignments} WHERE partnership_id = $1", partnership_id, *values
        )

    @staticmethod
    async def _areas(conn: PgConnection, t: Tables, organisation_id: str, codes: tuple[str, ...]) -> None:
        await conn.execute(f"DELETE FROM {t['partner_areas']} WHERE organisation_id = $1", organisation_id)
        await conn.executemany(
            f"INSERT INTO {t['partner_areas']} (organisation_id, municipality_code, county_code) VALUES ($1, $2, $3)",
            [(organisation_id, code, county_of(code).code) for code in codes],
        )

    @staticmethod
    async def _status(
        conn: PgConnection, table: str, referral_id: str, status: ReferralStatus, column: str, event: DomainEvent
    ) -> None:
        at = getattr(event, "at")  # noqa: B009 - every referral event carries its moment
        await conn.execute(
            f"UPDATE {table} SET status = $2, {column} = coalesce({column}, $3) WHERE referral_id = $1",
            referral_id, status.value, at,
        )

    async def purge_subject(self, conn: PgConnection, t: Tables, subject_id: str) -> None:
        """An erased child's referrals go (the rows name the child and what was sent about them)."""
        await conn.execute(f"DELETE FROM {t['referrals']} WHERE child_id = $1", subject_id)
        await conn.execute(
            f"UPDATE {t['family_partnerships']} SET child_ids = array_remove(child_ids, $1) WHERE $1 = ANY(child_ids)",
            subject_id,
        )
