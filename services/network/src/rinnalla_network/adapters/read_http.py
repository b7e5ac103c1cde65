"""Read routes under /v1: the partner directory, a recipient's own inbox, the senders' referrals per child
and team, and the guardian's view of their child's referrals and of what was disclosed to whom.

A packet is served only to its recipient and only while the consent it was sent on still allows sharing
(checked at the moment of reading, after the consent register has caught up with enrollment): a withdrawn
consent stops sharing at once and the referral shows it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from rinnalla_consent import finnish_day, guardian_may_see
from rinnalla_security import Access, Action, Role, authorize

from rinnalla_network.adapters.dependencies import get_network
from rinnalla_network.adapters.errors import ERROR_RESPONSES
from rinnalla_network.adapters.examples import ok_example
from rinnalla_network.bootstrap import Network
from rinnalla_network.domain import events as e
from rinnalla_network.domain.family_partnership import flagged
from rinnalla_network.domain.referral import sharing_stopped_because
from rinnalla_network.domain.values import LegalBasis, OrganisationKind, ServiceType
from rinnalla_network.persistence.referrals import OPEN, next_due

DIRECTORY_READERS = {Role.MENTOR, Role.COORDINATOR, Role.ADMIN, Role.COUNTY_SOCIAL_WORKER, Role.SCHOOL,
                     Role.PARTNER_ORGANISATION}
RECEIVERS = {Role.COUNTY_SOCIAL_WORKER, Role.SCHOOL, Role.PARTNER_ORGANISATION}
SENDERS = {Role.MENTOR, Role.COORDINATOR}
DUE_SOON_DAYS = 2
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
ChildId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]


def _age_days(row: dict[str, Any], now: datetime) -> int:
    return int((now - row["sent_at"]).days)


def _summary(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A referral as every reader sees it: status, age, the deadline it waits for, what was sent and on what."""
    due = next_due(row)
    today = finnish_day(now)
    return {
        "referral_id": row["referral_id"], "child_id": row["child_id"], "team_id": row["team_id"],
        "organisation_id": row["organisation_id"], "organisation_kind": row["organisation_kind"],
        "service_type": row["service_type"], "reason_codes": row["reason_codes"], "urgency": row["urgency"],
        "status": row["status"], "sent_at": row["sent_at"], "age_days": _age_days(row, now),
        "next_due": due, "overdue": due is not None and today > due,
        "due_soon": due is not None and today <= due <= today + timedelta(days=DUE_SOON_DAYS),
        "decline_reason": row["decline_reason"], "outcome": row["outcome"],
        "rerouted_from": row["rerouted_from"], "rerouted_to": row["rerouted_to"],
        "basis": row["basis"], "legal_basis": row["legal_basis"], "fields_sent": row["fields_sent"],
        "reminders": row["reminders"], "escalations": row["escalations"],
        "sharing_stopped": row["sharing_stopped"],
    }


async def _sharing_now(network: Network, row: dict[str, Any], now: datetime) -> str | None:
    view = await network.children.consent_view(row["child_id"])
    return sharing_stopped_because(view, row["child_id"], OrganisationKind(row["organisation_kind"]),
                                   _legal_basis(row), now)


def _legal_basis(row: dict[str, Any]) -> LegalBasis | None:
    return LegalBasis(row["legal_basis"]) if row["legal_basis"] else None


async def _packet(network: Network, referral_id: str) -> dict[str, Any] | None:
    for recorded in await network.runtime.store.read_stream("referral", referral_id):
        if isinstance(recorded.event, e.ReferralSent):
            return recorded.event.packet.model_dump(mode="json")
    return None


def read_router() -> APIRouter:
    router = APIRouter(tags=["reads"], responses=ERROR_RESPONSES)

    @router.get("/partners", responses=ok_example("partners"),
                summary="The partner directory: who receives referrals, where, for what, and how")
    async def partners(
        access: Annotated[Access, Depends(authorize(Action.read("partner"), roles=DIRECTORY_READERS))],
        network: Annotated[Network, Depends(get_network)],
        municipality_code: Annotated[str | None, Query(pattern=r"^\d{3}$")] = None,
        service_type: ServiceType | None = None,
    ) -> list[dict[str, Any]]:
        return await network.reads.partners(municipality_code, service_type.value if service_type else None)

    @router.get("/inbox", responses=ok_example("inbox"),
                summary="The recipient's own referrals: open, due soon, overdue, with the packet while sharing "
                "is allowed")
    async def inbox(
        access: Annotated[Access, Depends(authorize(Action.read("referral"), roles=RECEIVERS, personal_data=True))],
        network: Annotated[Network, Depends(get_network)],
    ) -> dict[str, Any]:
        principal = access.principal
        organisation_id = principal.partner_organisation_id or principal.organisation_id or ""
        await network.freshness.ensure_current()
        now = network.clock()
        rows = await network.reads.of_organisation(organisation_id)
        items = []
        for row in rows:
            item = _summary(row, now)
            if row["status"] in OPEN:
                stopped = await _sharing_now(network, row, now)
                item["sharing_stopped"] = item["sharing_stopped"] or stopped is not None
                item["sharing_stopped_reason"] = stopped
                item["packet"] = None if stopped else await _packet(network, row["referral_id"])
            else:
                item["packet"] = None
            items.append(item)
        await access.record_many([item["child_id"] for item in items if item["packet"] is not None])
        return {
            "organisation_id": organisation_id,
            "open": [i for i in items if i["status"] in OPEN],
            "due_soon": [i["referral_id"] for i in items if i["status"] in OPEN and i["due_soon"]],
            "overdue": [i["referral_id"] for i in items if i["status"] in OPEN and i["overdue"]],
            "closed": [i for i in items if i["status"] not in OPEN],
        }

    @router.get("/referrals", responses=ok_example("referrals"),
                summary="Referrals per child and team with status and age (mentor: own teams; coordinator: own "
                "municipalities)")
    async def referrals(
        access: Annotated[Access, Depends(authorize(Action.read("referral"), roles=SENDERS, personal_data=True))],
        network: Annotated[Network, Depends(get_network)],
        child_id: Annotated[str | None, Query(max_length=100)] = None,
    ) -> list[dict[str, Any]]:
        principal = access.principal
        await network.freshness.ensure_current()
        if principal.is_tenant_wide:
            rows = await network.reads.of_municipalities(sorted(principal.tenants))
        else:
            rows = await network.reads.of_teams(sorted(await network.children.mentored_teams(principal.subject)))
        if child_id is not None:
            rows = [row for row in rows if row["child_id"] == child_id]
        now = network.clock()
        items = []
        for row in rows:
            item = _summary(row, now)
            stopped = await _sharing_now(network, row, now) if row["status"] in OPEN else None
            item["sharing_stopped"] = item["sharing_stopped"] or stopped is not None
            item["sharing_stopped_reason"] = stopped
            items.append(item)
        await access.record_many([item["child_id"] for item in items])
        return sorted(items, key=lambda i: (i["next_due"] or date.max, i["referral_id"]))

    @router.get("/family-partnerships", responses=ok_example("family"),
                summary="Family partnerships per worker (a partner worker: their own; a coordinator: the "
                "municipalities'), with duration in months and a flag past 36 months")
    async def family_partnerships(
        access: Annotated[Access, Depends(authorize(Action.read("family"), roles={Role.PARTNER_ORGANISATION,
                                                                                 Role.COORDINATOR}))],
        network: Annotated[Network, Depends(get_network)],
    ) -> list[dict[str, Any]]:
        principal = access.principal
        worker = None if principal.is_tenant_wide else principal.subject
        rows = await network.reads.family_partnerships(worker_id=worker, municipality_codes=sorted(principal.tenants))
        today = finnish_day(network.clock())
        items = []
        for row in rows:
            end = row["closed_on"] or today
            months = (end.year - row["referred_on"].year) * 12 + end.month - row["referred_on"].month
            if end.day < row["referred_on"].day:
                months -= 1
            items.append({**row, "months": max(months, 0), "flagged": flagged(row["referred_on"], end)})
        return items

    @router.get("/guardian/children/{child_id}/referrals", responses=ok_example("guardian"),
                summary="A guardian's view: the child's referrals and what was disclosed to whom")
    async def guardian_view(
        child_id: ChildId,
        access: Annotated[Access, Depends(authorize(Action.read("referral"), roles={Role.GUARDIAN},
                                                    personal_data=True))],
        network: Annotated[Network, Depends(get_network)],
    ) -> dict[str, Any]:
        now = network.clock()
        view = await network.children.consent_view(child_id)
        access.ensure(guardian_may_see(view, child_id, access.principal.subject, now).allowed)
        rows = await network.reads.of_children([child_id])
        disclosures = await network.runtime.audit_log.disclosures_for_subject(child_id, since=EPOCH)
        await access.record(child_id)
        return {
            "child_id": child_id,
            "referrals": [_summary(row, now) for row in rows],
            "disclosures": [
                {"at": d.occurred_at, "recipient_organisation": d.recipient_organisation, "disclosed": d.disclosed,
                 "consent_id": d.consent_id, "legal_basis": d.legal_basis, "service": d.service}
                for d in disclosures
            ],
        }

    return router
